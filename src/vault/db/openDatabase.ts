// The one way Codex Vault opens an SQLite file: a vault, the models database beside downloaded
// models, the CLI's state.db. Every open goes through the same recovery and the same check, so
// that no file is left to the VFS's bare behaviour (a unit test finds any other caller of the
// SQLite wrapper's constructor):
//
// - Writing takes the owner lock `<db>.owner` ({pid, startedAt, hostname}; see lock/ownerLock.ts)
//   first. A dead holder's lock, SQLite's `<db>.lock` directory it left and its hot journal are
//   recovered; a live holder's are never touched (a vault is refused at once, a database that
//   processes share for short writes is waited for).
// - Reading takes no lock, but when nobody owns the file and a killed writer left traces, it
//   recovers them first (a read-only connection cannot roll a journal back).
// - Every connection, reading or writing, recovers SQLite's `<db>.lock` directory when a
//   statement of it is refused as "locked" and the directory is stale: left by a process that
//   died holding it, whoever that was (lock/staleSqliteLock.ts). So a reader killed mid-query
//   (Ctrl+C on `codex-vault search`, kill -9) does not lock out a writer that is already running.
// - Then the open-time health check (db/health.ts). A damaged file is never written: opening it
//   for writing fails with DatabaseDamagedError; reading it works and reports the damage.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { removeDeadAnnouncements } from '../lock/lockHolders';
import { OwnerLock } from '../lock/ownerLock';
import { inspectOwner } from '../lock/ownerRecord';
import { recoverOnLocked } from '../lock/staleSqliteLock';
import { retryWhileLocked } from '../store/busy';
import { checkFile, openCheck, type HealthReport } from './health';
import { hasHotJournalCandidate, rollBackHotJournal } from './hotJournal';
import { loadMigrations, migrate, schemaVersion, type MigrationProgress } from './migrations';
import { SqliteDatabase, SqliteError } from './sqlite';

export interface OpenDatabaseOptions {
  /** Read without the owner lock (another process may be writing). Never writes. */
  readOnly?: boolean;
  /** Create the file (and its folder) when it is missing; otherwise a missing file is an error. */
  create?: boolean;
  /** Writing: how long to wait for a live owner to let go (default 0: refuse at once). */
  waitMs?: number;
  /** Writing: bring the schema up to date (default true). `doctor` looks without changing anything. */
  migrate?: boolean;
  /** Writing: open even when the open-time check finds damage, but refuse every write (doctor, salvage). */
  allowDamaged?: boolean;
  /** What the file is, for messages: 'vault' (default), 'models database', ... */
  what?: string;
  /** Writing: progress of a migration that runs a long step (e.g. 0004 re-indexes every chunk). */
  onMigrationProgress?: (p: MigrationProgress) => void;
}

export interface OpenedDatabase {
  readonly db: SqliteDatabase;
  readonly file: string;
  readonly readOnly: boolean;
  /** The open-time check. When not ok, the connection refuses writes (PRAGMA query_only). */
  readonly health: HealthReport;
  /** Closes the connection and releases the owner lock. Safe to call twice. */
  close(): void;
}

export class DatabaseMissingError extends Error {
  readonly code = 'missing';
  constructor(readonly file: string, what: string) {
    super(what === 'vault'
      ? `There is no vault at ${file}. Only \`codex-vault index <folder> --db ${file}\` creates one: check the path.`
      : `There is no ${what} at ${file}.`);
    this.name = 'DatabaseMissingError';
  }
}

/** The file's own words on what to do, in the CLI's terms (VS Code builds its own from `report`). */
export function damageAdvice(file: string, what = 'vault'): string {
  return `Codex Vault does not write to it. \`codex-vault doctor --db ${file}\` runs the full check and says what a rebuild keeps${what === 'vault' ? ' (bookmarks, conversations)' : ''}.`;
}

export class DatabaseDamagedError extends SqliteError {
  constructor(file: string, readonly report: HealthReport, what = 'vault') {
    const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more)` : '';
    super(`The ${what} ${file} is damaged: ${report.problems[0] ?? 'unknown damage'}${more}. ${damageAdvice(file, what)}`, 'corrupt', { file });
    this.name = 'DatabaseDamagedError';
  }
}

/** Files found whole, by size and mtime: a process that opens one file per operation checks it once. */
const healthy = new Map<string, string>();

function fingerprint(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}:${s.ino}`;
  } catch {
    return '';
  }
}

function check(db: SqliteDatabase, file: string): HealthReport {
  const before = fingerprint(file);
  if (before && healthy.get(file) === before) return { ok: true, problems: [], affected: [], checked: ['unchanged since the last check'], ms: 0 };
  const report = openCheck(db);
  if (report.ok && before) healthy.set(file, before);
  else healthy.delete(file);
  return report;
}

/** Marks a file found damaged later (by a full check): the next open checks it again. */
export function forgetHealth(file: string): void {
  healthy.delete(resolve(file));
}

/** Whether the file starts with SQLite's header: if not, it is some other file (or beyond repair). */
function hasSqliteHeader(file: string): boolean {
  const problems: string[] = [];
  checkFile(file, problems, [], 0);
  return !problems.some((p) => p.includes('SQLite header'));
}

function explain(err: unknown, file: string, what: string): Error {
  if (err instanceof SqliteError && err.code === 'corrupt' && !(err instanceof DatabaseDamagedError) && !hasSqliteHeader(file)) {
    const also = what === 'vault' ? ` If it was a vault, it cannot be repaired: \`codex-vault index <folders> --db <new file>\` builds a new one from the notes.` : '';
    return new SqliteError(`${file} is not an SQLite database (it does not start with SQLite's header): check the path.${also}`, 'corrupt', { cause: err, file });
  }
  if (err instanceof SqliteError && err.code === 'corrupt' && !(err instanceof DatabaseDamagedError)) {
    const report: HealthReport = { ok: false, problems: [err.message.replace(/^.*?is corrupt \((.*)\)\.?$/, '$1')], affected: [], checked: ['open'], ms: 0 };
    return new DatabaseDamagedError(file, report, what);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function checkVersion(db: SqliteDatabase, what: string): void {
  const version = retryWhileLocked(() => schemaVersion(db));
  const known = loadMigrations().length;
  if (version > known) throw new Error(`This ${what} was written by a newer Codex Vault (schema ${version}; this version knows ${known}). Update Codex Vault to open it.`);
  if (version < known) throw new Error(`This ${what} has an older schema (${version} < ${known}); open it once for writing (e.g. codex-vault index) to upgrade it.`);
}

/**
 * True when no live writer owns the file but one left traces: its owner file or a rollback
 * journal with content (an interrupted transaction). A lock directory alone is recovered by the
 * connection that meets it (see the top of this file), without taking the owner lock.
 */
function needsRecovery(file: string): boolean {
  const owner = inspectOwner(file).kind;
  if (owner === 'held') return false;
  if (owner === 'stale') return true;
  return hasHotJournalCandidate(file);
}

/**
 * Before reading a file nobody owns: clear what a killed writer left and roll back its hot
 * journal. Best effort: on a read-only file system the plain read-only open still goes ahead.
 */
function recoverForReading(file: string): void {
  let lock: OwnerLock;
  try {
    lock = OwnerLock.acquire(file);
  } catch {
    return;
  }
  try {
    retryWhileLocked(() => rollBackHotJournal(file, { onLocked: recoverOnLocked(file) }));
  } catch {
    // Reported by the read-only open that follows.
  } finally {
    lock.release();
  }
}

function handle(db: SqliteDatabase, file: string, readOnly: boolean, health: HealthReport, lock: OwnerLock | null): OpenedDatabase {
  let closed = false;
  return {
    db,
    file,
    readOnly,
    health,
    close(): void {
      if (closed) return;
      closed = true;
      try {
        db.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** Opens `path` as described at the top of this file. */
export function openDatabase(path: string, opts: OpenDatabaseOptions = {}): OpenedDatabase {
  const file = resolve(path);
  const what = opts.what ?? 'vault';
  const exists = existsSync(file);
  if (exists && !statSync(file).isFile()) throw new Error(`${file} is not a file; give the path of the ${what}'s database file.`);
  if (!exists && (opts.readOnly || !opts.create)) throw new DatabaseMissingError(file, what);
  if (exists) removeDeadAnnouncements(file);
  return opts.readOnly ? openForReading(file, what) : openForWriting(file, what, opts, exists);
}

function openForReading(file: string, what: string): OpenedDatabase {
  if (needsRecovery(file)) recoverForReading(file);
  let db: SqliteDatabase | undefined;
  try {
    db = retryWhileLocked(() => SqliteDatabase.open(file, { readOnly: true, mustExist: true, onLocked: recoverOnLocked(file) }));
    const opened = db;
    const health = retryWhileLocked(() => check(opened, file));
    if (health.ok) checkVersion(opened, what);
    return handle(opened, file, true, health, null);
  } catch (err) {
    db?.close();
    throw explain(err, file, what);
  }
}

function openForWriting(file: string, what: string, opts: OpenDatabaseOptions, existed: boolean): OpenedDatabase {
  if (!existed) mkdirSync(dirname(file), { recursive: true });
  const lock = OwnerLock.acquire(file, { waitMs: opts.waitMs, what });
  let db: SqliteDatabase | undefined;
  try {
    // We own the file and no lock is held: undo what a killed writer left half done.
    retryWhileLocked(() => rollBackHotJournal(file, { onLocked: recoverOnLocked(file) }));
    db = retryWhileLocked(() => SqliteDatabase.open(file, { mustExist: existed, onLocked: recoverOnLocked(file) }));
    const opened = db;
    const health = existed ? retryWhileLocked(() => check(opened, file)) : { ok: true, problems: [], affected: [], checked: ['new file'], ms: 0 };
    if (!health.ok) {
      if (!opts.allowDamaged) throw new DatabaseDamagedError(file, health, what);
      opened.refuseWrites(`The ${what} ${file} is damaged. ${damageAdvice(file, what)}`);
    } else if (opts.migrate !== false) {
      retryWhileLocked(() => migrate(opened, loadMigrations(), undefined, { onProgress: opts.onMigrationProgress }));
    }
    return handle(opened, file, false, health, lock);
  } catch (err) {
    db?.close();
    lock.release();
    throw explain(err, file, what);
  }
}

/**
 * For databases that processes share for short writes (the model records): opens, runs `fn`,
 * closes, so the owner lock is held for the operation only and another process waits at most
 * that long. A missing file is created only when `create` is set.
 */
export function withDatabase<T>(path: string, opts: OpenDatabaseOptions, fn: (db: SqliteDatabase) => T): T {
  const opened = openDatabase(path, opts);
  try {
    return retryWhileLocked(() => fn(opened.db));
  } finally {
    opened.close();
  }
}
