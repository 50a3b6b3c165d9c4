// The vault's owner lock: one writer per database file, across processes.
//
// `<db>.owner` holds {pid, startedAt, hostname} of the writer. It is created atomically (a
// complete temp file hard-linked into place, so nobody ever reads half a record). When its holder
// is dead (killed, crashed) the lock is stale: the next writer removes it, and also SQLite's own
// `<db>.lock` directory, which node-sqlite3-wasm's VFS leaves behind when a process dies inside a
// transaction and which would otherwise make every later open fail with "database is locked".
// A live holder's locks are never touched.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { currentProcess, liveness, type ProcessIdentity } from './processInfo';
import { sleepSync } from './sleep';

export class VaultLockedError extends Error {
  readonly code = 'vault-locked';
  /** `what`: the kind of database, for the message ('vault', 'models database', ...). */
  constructor(readonly dbFile: string, readonly holder: ProcessIdentity, what = 'vault') {
    const who = holder.pid === process.pid && holder.hostname === currentProcess().hostname ? `this process (${holder.pid})` : `process ${holder.pid}`;
    const where = holder.hostname === currentProcess().hostname ? '' : ` on ${holder.hostname}`;
    const since = holder.startedAt ? `, started ${new Date(holder.startedAt).toISOString()}` : '';
    const then = what === 'vault' ? 'Close it there, or open the vault read-only.' : 'Wait for it to finish, or stop it.';
    super(`The ${what} ${dbFile} is being written by ${who}${where}${since}. ${then}`);
    this.name = 'VaultLockedError';
  }
}

export interface AcquireOptions {
  /**
   * How long to wait for a live holder to let go before giving up (default 0: give up at once).
   * Databases that several processes share for short writes (the model records) wait; a vault,
   * held for a whole session, does not.
   */
  waitMs?: number;
  /** The kind of database, for messages. */
  what?: string;
}

export const ownerFileOf = (dbFile: string): string => `${dbFile}.owner`;
/** The directory node-sqlite3-wasm's VFS creates while it holds any lock on the database. */
export const sqliteLockDirOf = (dbFile: string): string => `${dbFile}.lock`;

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function readHolder(ownerFile: string): { holder: ProcessIdentity | null; raw: string } | undefined {
  let raw: string;
  try {
    raw = readFileSync(ownerFile, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const j = JSON.parse(raw) as Partial<ProcessIdentity>;
    if (typeof j.pid === 'number' && typeof j.hostname === 'string') {
      return { holder: { pid: j.pid, startedAt: typeof j.startedAt === 'number' ? j.startedAt : null, hostname: j.hostname }, raw };
    }
  } catch {
    // Not JSON: written by something else, or damaged. Treated as stale below.
  }
  return { holder: null, raw };
}

/** Creates `file` with `content` only if it does not exist yet, never exposing a partial file. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if (errCode(err) === 'EEXIST') return false;
    if (errCode(err) !== 'EPERM' && errCode(err) !== 'ENOTSUP' && errCode(err) !== 'ENOSYS') throw err;
    // File systems without hard links: O_EXCL create (a crash between create and write leaves an
    // empty file, which readers treat as stale).
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw e;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `fn` while holding a short-lived guard directory, so that two processes that both find a
 * stale lock cannot both clear it and then both believe they own the fresh one.
 */
/** A guard is held for microseconds; one this old was left by a process killed while holding it. */
const GUARD_STALE_MS = 5000;

function withGuard<T>(dbFile: string, fn: () => T): T {
  const guard = `${dbFile}.owner-guard`;
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

/**
 * Removes SQLite's `<db>.lock` directory once nobody can be using it legitimately: the caller
 * holds the owner lock (or knows the owner is dead). Readers hold it for milliseconds at a time,
 * so wait briefly for it to go before deciding it is stale.
 */
export function clearStaleSqliteLock(dbFile: string, waitMs = 300): boolean {
  const dir = sqliteLockDirOf(dbFile);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      statSync(dir);
    } catch {
      return false;
    }
    if (Date.now() >= deadline) break;
    sleepSync(15);
  }
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false;
    throw err;
  }
}

/** Outcome of looking at an existing owner file. */
export type OwnerState = { kind: 'free' } | { kind: 'held'; holder: ProcessIdentity } | { kind: 'stale'; holder: ProcessIdentity | null };

export function inspectOwner(dbFile: string): OwnerState {
  const ownerFile = ownerFileOf(dbFile);
  const found = readHolder(ownerFile);
  if (!found) return { kind: 'free' };
  if (!found.holder) {
    // Unparsable: a writer on a file system without hard links may be mid-write; give it a moment.
    try {
      if (Date.now() - statSync(ownerFile).mtimeMs < 2000 && found.raw.length === 0) return { kind: 'held', holder: { pid: 0, startedAt: null, hostname: currentProcess().hostname } };
    } catch {
      return { kind: 'free' };
    }
    return { kind: 'stale', holder: null };
  }
  return liveness(found.holder) === 'dead' ? { kind: 'stale', holder: found.holder } : { kind: 'held', holder: found.holder };
}

/**
 * Removes a dead holder's owner file and SQLite lock directory. Returns true when something
 * stale was cleared. Never touches a live holder's locks.
 */
export function clearIfStale(dbFile: string): boolean {
  const ownerFile = ownerFileOf(dbFile);
  return withGuard(dbFile, () => {
    const before = readHolder(ownerFile);
    const state = inspectOwner(dbFile);
    if (state.kind !== 'stale' || !before) return false;
    // Re-read under the guard: clear only the very record judged stale.
    const again = readHolder(ownerFile);
    if (!again || again.raw !== before.raw) return false;
    unlinkSync(ownerFile);
    clearStaleSqliteLock(dbFile, 0);
    return true;
  });
}

/**
 * For the thread that owns a vault's worker: after that worker was terminated or crashed without
 * closing the vault (worker.terminate() runs no 'exit' handlers), its lock still names this live
 * process and would refuse every later open. Removes the owner file only if it records this very
 * process (same host, PID and start time), and SQLite's lock directory with it. Returns whether a
 * lock was released. Call it only when no thread of this process has the vault open any more.
 */
export function releaseOwnProcessLock(dbFile: string): boolean {
  const ownerFile = ownerFileOf(dbFile);
  const found = readHolder(ownerFile);
  const me = currentProcess();
  if (!found?.holder || found.holder.pid !== me.pid || found.holder.hostname !== me.hostname || found.holder.startedAt !== me.startedAt) return false;
  for (const lock of held) if (lock.dbFile === dbFile) lock.release();
  try {
    unlinkSync(ownerFile);
  } catch {
    // released meanwhile
  }
  clearStaleSqliteLock(dbFile, 0);
  return true;
}

const held = new Set<OwnerLock>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' runs synchronously on normal exits and process.exit(); a SIGKILL leaves a stale
  // lock that the next open clears because its holder is dead.
  process.on('exit', () => {
    for (const lock of [...held]) lock.release();
  });
}

export class OwnerLock {
  private released = false;

  private constructor(readonly dbFile: string, private readonly record: string) {}

  /** Takes the lock (waiting up to `waitMs` for a live holder) or throws VaultLockedError naming it. */
  static acquire(dbFile: string, opts: AcquireOptions = {}): OwnerLock {
    const ownerFile = ownerFileOf(dbFile);
    const me = currentProcess();
    const record = JSON.stringify({ pid: me.pid, startedAt: me.startedAt, hostname: me.hostname });
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (let attempt = 0; attempt < 50; attempt++) {
      if (createExclusive(ownerFile, record)) {
        const lock = new OwnerLock(dbFile, record);
        held.add(lock);
        installExitHook();
        try {
          // We own the vault now: a `.lock` directory that outlives a short wait was left by a
          // process that died inside a transaction (its hot journal is rolled back on first read).
          clearStaleSqliteLock(dbFile);
        } catch (err) {
          lock.release();
          throw err;
        }
        return lock;
      }
      const state = inspectOwner(dbFile);
      if (state.kind === 'held') {
        if (state.holder.pid === 0) {
          sleepSync(50);
          continue;
        }
        if (Date.now() < deadline) {
          // Not an attempt lost to a race: wait for the holder without using up the attempts.
          attempt--;
          sleepSync(5 + Math.floor(Math.random() * 20));
          continue;
        }
        throw new VaultLockedError(dbFile, state.holder, opts.what);
      }
      if (state.kind === 'stale') clearIfStale(dbFile);
    }
    throw new Error(`Could not take the owner lock ${ownerFile}: it keeps changing hands.`);
  }

  get isHeld(): boolean {
    return !this.released;
  }

  /** Removes the owner file if it is still ours. Safe to call twice. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    const ownerFile = ownerFileOf(this.dbFile);
    try {
      if (readFileSync(ownerFile, 'utf8') === this.record) unlinkSync(ownerFile);
    } catch {
      // Already removed (e.g. by hand): nothing to release.
    }
  }
}
