// A short-lived mutual exclusion between processes: a directory that exists while one of them
// runs a few file operations that must not interleave with another's (two processes clearing the
// same stale lock and then both believing they hold the fresh one; two removing the same stale
// SQLite lock while a third takes a new one in between).
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { sleepSync } from './sleep';

/** A guard is held for milliseconds; one this old was left by a process killed while holding it. */
const GUARD_STALE_MS = 5000;

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Runs `fn` while holding the guard directory `guard` (waiting for another holder to finish). */
export function withGuard<T>(guard: string, fn: () => T): T {
  // Longer than a guard can stay stale, so that a killed holder's guard is always cleared here.
  const deadline = Date.now() + GUARD_STALE_MS + 3000;
  for (;;) {
    try {
      mkdirSync(guard);
      break;
    } catch (err) {
      if (errCode(err) !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmdirSync(guard);
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`Could not take the lock guard ${guard}: it keeps being taken.`);
      sleepSync(20);
    }
  }
  try {
    return fn();
  } finally {
    try {
      rmdirSync(guard);
    } catch {
      // nothing to do
    }
  }
}
