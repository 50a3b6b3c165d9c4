// The vault: one SQLite file holding the notes of one or more folders, their chunks and the
// full-text index. The facade every other part (CLI, worker, retrieval) goes through.
//
// Opening for writing takes the owner lock first (one writer per file across processes; a
// dead writer's stale locks are cleared), then runs migrations. Read-only opens take no lock and
// wait out the writer's momentary transaction locks.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadMigrations, migrate, schemaVersion } from './db/migrations';
import { SqliteDatabase, SqliteError } from './db/sqlite';
import { Indexer } from './index/indexer';
import { LiveUpdates } from './index/liveUpdates';
import { DEFAULT_MAX_FILE_BYTES } from './index/prepareFile';
import type { FileUpdateResult, IndexOptions, IndexSummary } from './index/types';
import { inspectOwner, OwnerLock, sqliteLockDirOf } from './lock/ownerLock';
import { retryWhileLocked } from './store/busy';
import { hasHotJournalCandidate, rollBackHotJournal } from './store/hotJournal';
import { VaultStore } from './store/vaultStore';
import { searchLexical, type LexicalSearchOptions } from './search/lexicalSearch';
import type { SearchHit, SkippedFile, SkipReason } from './types';

export type { FileUpdateResult, IndexOptions, IndexProgress, IndexSummary } from './index/types';
export type { LexicalSearchOptions } from './search/lexicalSearch';
export { toFtsQuery } from './search/ftsQuery';
export { releaseOwnProcessLock, VaultLockedError } from './lock/ownerLock';

export interface VaultOpenOptions {
  /** Read without taking the owner lock (another process may be writing). Never writes. */
  readOnly?: boolean;
}

export interface VaultStats {
  roots: number;
  files: number;
  chunks: number;
  skipped: number;
  /** Size of the database file. */
  dbBytes: number;
  schemaVersion: number;
}

/** Limits for live updates: the ones of the last full index, or the defaults. */
interface FileLimits {
  maxFileBytes: number;
  maxChunkChars?: number;
}

function explainOpenError(err: unknown, file: string): Error {
  if (err instanceof SqliteError && err.code === 'corrupt') {
    return new SqliteError(`${err.message} Move it away or delete it (with ${file}.owner); indexing the folders again rebuilds it from the notes.`, 'corrupt', { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

export class Vault {
  private readonly store: VaultStore;
  private readonly indexer: Indexer;
  private readonly live: LiveUpdates;
  private limits: FileLimits = { maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  private closed = false;

  private constructor(readonly db: SqliteDatabase, readonly file: string, readonly readOnly: boolean, private readonly lock: OwnerLock | null) {
    this.store = new VaultStore(db);
    this.indexer = new Indexer(db, this.store);
    this.live = new LiveUpdates(this.indexer, this.store);
  }

  /**
   * Opens (creating if needed) the vault in `dbFile`. Throws VaultLockedError when another live
   * process writes it (open it with { readOnly: true } to search it meanwhile), and a clear
   * SqliteError when the file is not a usable database.
   */
  static open(dbFile: string, opts: VaultOpenOptions = {}): Vault {
    const file = resolve(dbFile);
    if (existsSync(file) && !statSync(file).isFile()) throw new Error(`${file} is not a file; give the path of the vault's database file.`);
    return opts.readOnly ? Vault.openReadOnly(file) : Vault.openForWriting(file);
  }

  private static openForWriting(file: string): Vault {
    // A new vault may live in a folder not made yet (e.g. the extension's storage folder).
    mkdirSync(dirname(file), { recursive: true });
    const lock = OwnerLock.acquire(file);
    let db: SqliteDatabase | undefined;
    try {
      // We own the file and no lock is held: undo what a killed writer left half done.
      rollBackHotJournal(file);
      db = retryWhileLocked(() => SqliteDatabase.open(file));
      // Rollback journal in its default DELETE mode (kill -9 safe: a hot journal is rolled back
      // on the next open). A journal file that stays (TRUNCATE/PERSIST) made commits no cheaper
      // here but every read dearer: each read lock then opens it to see whether it is hot.
      // synchronous = NORMAL syncs at the critical points only (one fsync less per commit; the
      // index can be rebuilt from the notes). A few MB of page cache speed up batched FTS inserts.
      db.exec('PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY');
      const opened = db;
      retryWhileLocked(() => migrate(opened));
      const vault = new Vault(opened, file, false, lock);
      // A bulk index killed before its end left the chunks(hash) index dropped (see VaultStore).
      retryWhileLocked(() => opened.transaction(() => vault.store.ensureChunkHashIndex()));
      return vault;
    } catch (err) {
      db?.close();
      lock.release();
      throw explainOpenError(err, file);
    }
  }

  private static openReadOnly(file: string): Vault {
    if (!existsSync(file)) throw new Error(`There is no vault at ${file}. Index a folder into it first (codex-vault index <folder> --db ${file}).`);
    if (Vault.needsRecovery(file)) Vault.recover(file);
    let db: SqliteDatabase | undefined;
    try {
      db = retryWhileLocked(() => SqliteDatabase.open(file, { readOnly: true, mustExist: true }));
      const opened = db;
      const version = retryWhileLocked(() => schemaVersion(opened));
      const known = loadMigrations().length;
      if (version > known) throw new Error(`This vault was written by a newer Codex Vault (schema ${version}; this version knows ${known}). Update Codex Vault to open it.`);
      if (version < known) throw new Error(`This vault has an older schema (${version} < ${known}); open it once for writing (e.g. codex-vault index) to upgrade it.`);
      return new Vault(opened, file, true, null);
    } catch (err) {
      db?.close();
      throw explainOpenError(err, file);
    }
  }

  /**
   * True when no live writer owns the vault but one left traces: its owner file, SQLite's lock
   * directory, or a rollback journal with content (an interrupted transaction).
   */
  private static needsRecovery(file: string): boolean {
    const owner = inspectOwner(file).kind;
    if (owner === 'held') return false;
    if (owner === 'stale') return true;
    return hasHotJournalCandidate(file) || existsSync(sqliteLockDirOf(file));
  }

  /**
   * Before reading a vault nobody owns: clear what a killed writer left (its owner file, SQLite's
   * lock directory) and roll back its hot journal, which a read-only connection cannot do. Best
   * effort: on a read-only file system the plain read-only open still goes ahead.
   */
  private static recover(file: string): void {
    let lock: OwnerLock;
    try {
      lock = OwnerLock.acquire(file);
    } catch {
      return;
    }
    try {
      rollBackHotJournal(file);
    } catch {
      // Reported by the read-only open that follows.
    } finally {
      lock.release();
    }
  }

  /** Indexes (or brings up to date) the given folders. */
  async indexRoots(roots: readonly string[], opts: IndexOptions = {}): Promise<IndexSummary> {
    this.assertWritable('index');
    this.limits = { maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, maxChunkChars: opts.maxChunkChars };
    return this.indexer.indexRoots(roots, opts);
  }

  /** Re-indexes one file after a save (or removes it if it is gone). */
  updateFile(root: string, relPath: string): FileUpdateResult {
    this.assertWritable('update');
    return this.live.updateFile(resolve(root), relPath, this.limits);
  }

  removeFile(root: string, relPath: string): FileUpdateResult {
    this.assertWritable('update');
    return this.live.removeFile(resolve(root), relPath);
  }

  renameFile(root: string, from: string, to: string): FileUpdateResult {
    this.assertWritable('update');
    return this.live.renameFile(resolve(root), from, to, this.limits);
  }

  /** Full-text search; best hit first. Never throws on user text. */
  searchLexical(query: string, opts: LexicalSearchOptions = {}): SearchHit[] {
    this.assertOpen();
    // One read transaction for the search's statements: every lock SQLite takes on this VFS is a
    // directory created and removed, plus a hot-journal check, which costs more than a small query.
    return retryWhileLocked(() => (this.db.inTransaction ? searchLexical(this.db, query, opts) : this.db.transaction(() => searchLexical(this.db, query, opts), false)));
  }

  stats(): VaultStats {
    this.assertOpen();
    const c = retryWhileLocked(() => this.store.counts());
    let dbBytes = 0;
    try {
      dbBytes = statSync(this.file).size;
    } catch {
      // not written yet
    }
    return { ...c, dbBytes, schemaVersion: retryWhileLocked(() => schemaVersion(this.db)) };
  }

  /** Files the last index passed over, with the reason. */
  skippedFiles(): SkippedFile[] {
    this.assertOpen();
    const rows = retryWhileLocked(() => this.db.all<{ root: string; path: string; reason: string }>('SELECT r.path AS root, s.path AS path, s.reason AS reason FROM skipped_files s JOIN roots r ON r.id = s.root_id ORDER BY r.path, s.path'));
    return rows.map((r) => {
      const i = r.reason.indexOf(': ');
      return { root: r.root, path: r.path, reason: (i === -1 ? r.reason : r.reason.slice(0, i)) as SkipReason, detail: i === -1 ? '' : r.reason.slice(i + 2) };
    });
  }

  /** SQLite's integrity_check plus FTS5's own consistency check; 'ok' when all is well. */
  integrityCheck(): string {
    this.assertOpen();
    const rows = retryWhileLocked(() => this.db.all<{ integrity_check: string }>('PRAGMA integrity_check'));
    const result = rows.map((r) => r.integrity_check).join('; ');
    if (result !== 'ok') return result;
    if (this.readOnly) return 'ok';
    try {
      retryWhileLocked(() => this.db.run("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)"));
    } catch (err) {
      return `fts: ${err instanceof Error ? err.message : String(err)}`;
    }
    return 'ok';
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Closes the database and releases the owner lock. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } finally {
      this.lock?.release();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The vault ${this.file} is closed.`);
  }

  private assertWritable(what: string): void {
    this.assertOpen();
    if (this.readOnly) throw new Error(`The vault ${this.file} is open read-only; cannot ${what}. Another process writes it.`);
  }
}
