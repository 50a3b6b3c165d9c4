// The vault's owner lock: one writer per database file, across processes.
//
// `<db>.owner` holds {pid, startedAt, hostname} of the writer (lock/ownerRecord.ts). It is created
// atomically (a complete temp file hard-linked into place, so nobody ever reads half a record).
// When its holder is dead (killed, crashed) the lock is stale: the next writer removes it, and
// SQLite's own `<db>.lock` directory the dead writer may have left (lock/staleSqliteLock.ts, which
// also plays back its journal), which would otherwise make every later open fail with "database
// is locked". A live holder's locks are never touched.
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { withGuard } from './guard';
import { removeThreadAnnouncements } from './lockHolders';
import { inspectOwner, ownerFileOf, ownerRecord, readHolder } from './ownerRecord';
import { currentProcess, type ProcessIdentity } from './processInfo';
import { sleepSync } from './sleep';
import { DEAD_HOLDER_LOCK_MS, recoverStaleSqliteLock } from './staleSqliteLock';

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

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
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
 * Removes a dead holder's owner file and the SQLite lock directory it may have left. Returns true
 * when a stale owner file was cleared. Never touches a live holder's locks.
 */
export function clearIfStale(dbFile: string): boolean {
  const ownerFile = ownerFileOf(dbFile);
  return withGuard(`${dbFile}.owner-guard`, () => {
    const before = readHolder(ownerFile);
    const state = inspectOwner(dbFile);
    if (state.kind !== 'stale' || !before) return false;
    // Re-read under the guard: clear only the very record judged stale.
    const again = readHolder(ownerFile);
    if (!again || again.raw !== before.raw) return false;
    unlinkSync(ownerFile);
    // The dead writer may be the lock's holder: no need to wait for the general bound.
    recoverStaleSqliteLock(dbFile, { minAgeMs: DEAD_HOLDER_LOCK_MS, waitForAge: true });
    return true;
  });
}

/**
 * For the thread that started a vault's worker thread, after that worker was terminated or
 * crashed without closing the vault (worker.terminate() runs no 'exit' handlers): its owner lock
 * still names this live process and would refuse every later open, and what it announced in
 * `<db>.holders` names a live process too. Removes the owner file only if it records this very
 * process (same host, PID and start time), the announcements of thread `goneThread` (the
 * worker's `threadId`, taken while it ran), and SQLite's lock directory if no live process may
 * hold it. Returns whether an owner lock was released. Call it only once that thread is gone.
 */
export function releaseOwnProcessLock(dbFile: string, goneThread?: number): boolean {
  const ownerFile = ownerFileOf(dbFile);
  const found = readHolder(ownerFile);
  const me = currentProcess();
  const ours = !!found?.holder && found.holder.pid === me.pid && found.holder.hostname === me.hostname && found.holder.startedAt === me.startedAt;
  if (ours) {
    for (const lock of held) if (lock.dbFile === dbFile) lock.release();
    try {
      unlinkSync(ownerFile);
    } catch {
      // released meanwhile
    }
  }
  if (goneThread !== undefined) removeThreadAnnouncements(dbFile, goneThread);
  if (ours || goneThread !== undefined) recoverStaleSqliteLock(dbFile, { minAgeMs: DEAD_HOLDER_LOCK_MS, waitForAge: true });
  return ours;
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
    const record = ownerRecord();
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (let attempt = 0; attempt < 50; attempt++) {
      if (createExclusive(ownerFile, record)) {
        const lock = new OwnerLock(dbFile, record);
        held.add(lock);
        installExitHook();
        try {
          // A lock directory no live process may hold (a killed reader's) need not wait for our
          // first "locked" to be recovered.
          recoverStaleSqliteLock(dbFile);
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
