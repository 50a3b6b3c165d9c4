// Waiting out another connection's momentary lock.
//
// node-sqlite3-wasm's VFS has no busy handler: every lock is one `<db>.lock` directory, taken
// for any read or write and released when the statement or transaction ends. A reader that
// collides with the writer's batch commit (or the writer with a reader) gets "database is locked"
// at once. These calls are short, so retrying with a small sleep is enough.
import { SqliteError } from '../db/sqlite';
import { sleepSync } from '../lock/sleep';

export function isLocked(err: unknown): boolean {
  return err instanceof SqliteError && err.code === 'locked';
}

/** Runs `fn` (which must not have side effects before it fails with "locked") until it gets the lock. */
export function retryWhileLocked<T>(fn: () => T, timeoutMs = 5000): T {
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isLocked(err) || Date.now() + wait > deadline) throw err;
      sleepSync(wait);
      wait = Math.min(wait * 2, 50);
    }
  }
}
