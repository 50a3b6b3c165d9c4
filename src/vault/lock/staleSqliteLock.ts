// Recovering SQLite's `<db>.lock` directory from a process that died holding it.
//
// node-sqlite3-wasm's VFS locks a database by creating the directory `<db>.lock` (for reads and
// writes alike) and removes it when the lock ends. A process killed meanwhile (kill -9 at any
// time; Ctrl+C on `codex-vault search`, which keeps the signal's default action so that it ends
// even mid-query) leaves the directory behind, and every later read and write of every process
// fails as "locked". Opening a file nobody owns used to be the only moment it was cleared; a
// writer that was already running (an editor's vault worker) stayed locked out until restarted.
//
// The rule. A `<db>.lock` directory is removed only inside the guard `<db>.lock-guard`, and only
// when all of these hold:
//   1. it is at least `minAgeMs` old (by its ctime): STALE_LOCK_MS, or DEAD_HOLDER_LOCK_MS where a
//      dead process is known to have been its holder;
//   2. the owner file names no live writer that may hold the lock unannounced (a record without
//      `announcesHolds`, written by an older Codex Vault, or one being written);
//   3. every connection announced in `<db>.holders` (lock/lockHolders.ts) belongs to a dead
//      process; their announcements are removed;
//   4. after reading the owner and the announcements, `<db>.lock` is still the very directory
//      judged in 1 (same inode and ctime).
// Then it is removed; or, when a rollback journal with content lies beside it (its holder died
// inside a write transaction), it is handed to SQLite instead, which plays the journal back and
// removes the directory itself (hotJournal.ts), so that no reader can read half a transaction in
// between.
//
// Why that never removes a lock a live process holds. Every connection this code opens (db/
// sqlite.ts) announces itself before it steps a statement, i.e. before it can create `<db>.lock`,
// and withdraws only once it cannot hold it any more; a connection told "locked" holds nothing
// (the VFS never refuses a connection its own lock), so it withdraws while it waits. Let D be the
// directory judged in 1, created by a process P before that moment. If P is alive and still holds
// D when it is removed, then D existed through the whole check (4: a directory removed and made
// again gets a new ctime, and it was older than minAgeMs, so even a reused inode differs), so P's
// announcement existed while the announcements were read in 3 and P would have been seen alive.
// A live writer of an older version holds the lock unannounced, but owns the file, and 2 stops
// there (only the owner writes, so only the owner holds the lock for long). D cannot be
// swapped for a new directory between 4 and the removal: only D's holder (dead) and a recovery
// remove a lock directory, and recoveries run one at a time under the guard.
//   The races: a process that announces itself during the check cannot hold D (D exists, so its
// mkdir fails) and at worst makes this check give up, to be tried again at the next "locked"; a
// directory removed and made anew between 1 and 4 fails 4; two recoveries at once are serialized
// by the guard, and the second finds D gone or replaced.
//   The age bound is not what makes it safe (the announcements are); it leaves room for a reader
// of an older Codex Vault, which does not announce: its reads (a search) last milliseconds. A
// read of such a version that holds the lock longer than the bound is not protected.
import { rmdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { journalState, rollBackHotJournal } from '../db/hotJournal';
import { withGuard } from './guard';
import { listHolders, removeAnnouncement } from './lockHolders';
import { inspectOwner, sqliteLockDirOf } from './ownerRecord';
import { sleepSync } from './sleep';

/** A lock directory this old, that no live announced process may hold, is stale. */
export const STALE_LOCK_MS = 1000;
/** When its holder is known dead (a dead owner, a terminated thread): only long enough that a new directory has another ctime. */
export const DEAD_HOLDER_LOCK_MS = 100;

export type LockRecovery =
  /** No lock directory. */
  | 'absent'
  /** Younger than the bound: left for later. */
  | 'young'
  /** A live process may hold it: left alone. */
  | 'held'
  /** Removed (after its journal was played back, if it had one). */
  | 'recovered'
  /** Judged stale, but could not be removed or its journal played back (e.g. a read-only folder). */
  | 'failed';

export interface RecoverOptions {
  /** Default STALE_LOCK_MS. */
  minAgeMs?: number;
  /** Sleep until a younger directory reaches `minAgeMs` instead of leaving it. */
  waitForAge?: boolean;
}

interface DirId {
  dev: bigint;
  ino: bigint;
  ctimeNs: bigint;
}

function identify(dir: string): DirId | undefined {
  try {
    const s = statSync(dir, { bigint: true });
    return { dev: s.dev, ino: s.ino, ctimeNs: s.ctimeNs };
  } catch {
    return undefined;
  }
}

const same = (a: DirId, b: DirId): boolean => a.dev === b.dev && a.ino === b.ino && a.ctimeNs === b.ctimeNs;
const ageMs = (d: DirId): number => Date.now() - Number(d.ctimeNs / 1_000_000n);

/** Applies the rule at the top of this file to `<dbFile>.lock`. Never throws for a lock that is not stale. */
export function recoverStaleSqliteLock(dbFile: string, opts: RecoverOptions = {}): LockRecovery {
  const file = resolve(dbFile);
  const dir = sqliteLockDirOf(file);
  const minAge = opts.minAgeMs ?? STALE_LOCK_MS;
  // Cheap look first: this runs at every "locked", and nearly all are a live holder's moment.
  const first = identify(dir);
  if (!first) return 'absent';
  const age = ageMs(first);
  if (age < minAge) {
    if (!opts.waitForAge) return 'young';
    sleepSync(minAge - age + 1);
  }
  return withGuard(`${file}.lock-guard`, () => {
    const judged = identify(dir);
    if (!judged) return 'absent';
    if (ageMs(judged) < minAge) return 'young';
    const owner = inspectOwner(file);
    if (owner.kind === 'held' && !owner.announcesHolds) return 'held';
    let live = false;
    for (const h of listHolders(file)) {
      if (h.liveness === 'dead') removeAnnouncement(h);
      else live = true;
    }
    if (live) return 'held';
    const now = identify(dir);
    if (!now) return 'absent';
    if (!same(now, judged)) return 'held';
    if (journalState(file) === 'hot') {
      try {
        rollBackHotJournal(file, { adoptLockDir: () => { const d = identify(dir); return d !== undefined && same(d, judged); } });
        return 'recovered';
      } catch {
        return 'failed';
      }
    }
    try {
      rmdirSync(dir);
      return 'recovered';
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : 'failed';
    }
  });
}

/** For a connection's "locked": recover the lock if it is stale; any error leaves the "locked" error as it was. */
export function recoverOnLocked(dbFile: string): () => void {
  return () => {
    try {
      recoverStaleSqliteLock(dbFile);
    } catch {
      // e.g. the guard kept busy: the next "locked" tries again
    }
  };
}
