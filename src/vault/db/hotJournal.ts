// Rolling back a dead writer's hot journal, which node-sqlite3-wasm's VFS cannot see on its own.
//
// SQLite treats a rollback journal as "hot" (an interrupted transaction to undo) only if no other
// connection holds a RESERVED lock, which it asks the VFS after taking its own SHARED lock. This
// VFS answers "is `<db>.lock` there?", and that directory is the very one our connection just
// created for its SHARED lock, so the answer is always "yes, locked" and the journal is never
// played back: after a kill -9 in the middle of a commit (or of a transaction large enough to
// spill pages), the database would keep half a transaction. Measured here: a killed transaction
// that had spilled pages left 13 uncommitted rows and 966 changed ones visible after reopening.
//
// The fix: while opening the file right after its holder died (the caller holds the owner lock
// and removed the stale lock directory, or takes that directory over as its own lock, so no other
// connection can hold any lock), answer that one question truthfully, "nobody else holds
// RESERVED", and SQLite plays the journal back itself.
import fs from 'node:fs';
import { resolve } from 'node:path';
import { SqliteDatabase } from './sqlite';

export function journalOf(dbFile: string): string {
  return `${dbFile}-journal`;
}

export type JournalState = 'none' | 'inert' | 'hot';

/**
 * 'hot': an interrupted transaction that may have written the database (SQLite writes the
 * journal's magic number only when it syncs the journal, right before it first writes the
 * database file). 'inert': a journal whose header is still zero, so the database was not touched.
 */
export function journalState(dbFile: string): JournalState {
  let fd: number;
  try {
    fd = fs.openSync(journalOf(dbFile), 'r');
  } catch {
    return 'none';
  }
  try {
    const head = Buffer.alloc(8);
    const n = fs.readSync(fd, head, 0, 8, 0);
    if (n === 0) return 'none';
    return head.subarray(0, n).some((b) => b !== 0) ? 'hot' : 'inert';
  } finally {
    fs.closeSync(fd);
  }
}

/** Whatever a dead writer may have left in the journal: something to recover or clean up. */
export function hasHotJournalCandidate(dbFile: string): boolean {
  return journalState(dbFile) !== 'none';
}

export interface RollBackOptions {
  /**
   * The dead holder's `<db>.lock` directory is still there, judged stale under the lock guard
   * (lock/staleSqliteLock.ts): SQLite takes it over instead of creating its own, so that nobody
   * can read the half-written file between the directory's removal and the rollback, and removes
   * it when done. Called when SQLite goes to take the lock: whether the directory there is still
   * the one judged stale (if not, the lock is refused as usual).
   */
  adoptLockDir?: () => boolean;
  /** Passed to the connection that plays the journal back (see OpenOptions.onLocked). */
  onLocked?: () => void;
}

/**
 * Plays back (through SQLite) the journal of a dead writer. Call only while holding the owner
 * lock after the stale `<db>.lock` directory was removed, or with `adoptLockDir`. Returns true
 * when a journal was rolled back; throws if one remains.
 */
export function rollBackHotJournal(dbFile: string, opts: RollBackOptions = {}): boolean {
  const state = journalState(dbFile);
  if (state === 'none') return false;
  if (state === 'inert') {
    // Nothing to undo; SQLite ignores such a journal (and would overwrite it), we tidy it away.
    fs.unlinkSync(journalOf(dbFile));
    return false;
  }
  const lockDir = resolve(`${dbFile}.lock`);
  const { accessSync, mkdirSync } = fs;
  // The VFS's xCheckReservedLock is `fs.accessSync(<db>.lock)` and its xLock `fs.mkdirSync(<db>.lock)`;
  // everything it does runs synchronously inside SqliteDatabase.open below, so the overrides
  // cannot leak to other code.
  fs.accessSync = ((path: fs.PathLike, mode?: number): void => {
    if (typeof path === 'string' && resolve(path) === lockDir) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, access '${path}'`), { code: 'ENOENT' });
    }
    accessSync(path, mode);
  }) as typeof fs.accessSync;
  let adopt = opts.adoptLockDir;
  fs.mkdirSync = ((path: fs.PathLike, options?: fs.MakeDirectoryOptions | fs.Mode | null) => {
    const check = typeof path === 'string' && resolve(path) === lockDir ? adopt : undefined;
    if (!check) return mkdirSync(path, options);
    adopt = undefined; // once: the first lock of this connection only
    try {
      return mkdirSync(path, options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && check()) return undefined;
      throw err;
    }
  }) as typeof fs.mkdirSync;
  try {
    // The first read takes SHARED, finds the journal hot, and rolls it back.
    SqliteDatabase.open(dbFile, { mustExist: true, onLocked: opts.onLocked }).close();
  } finally {
    fs.accessSync = accessSync;
    fs.mkdirSync = mkdirSync;
  }
  if (journalState(dbFile) === 'hot') throw new Error(`Could not roll back the interrupted transaction in ${journalOf(dbFile)}; keep that file and the database together and report this.`);
  return true;
}
