// The vault: one SQLite file holding the notes of one or more folders, their chunks and the
// full-text index. The facade every other part (CLI, worker, retrieval) goes through.
//
// Opening goes through db/openDatabase.ts: for writing, the owner lock first (one writer per file
// across processes; a dead writer's stale locks and journal are recovered), the health check, then
// migrations; read-only opens take no lock and wait out the writer's momentary transaction locks.
// A vault found damaged is never written.
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HealthReport } from './db/health';
import { schemaVersion, type MigrationProgress } from './db/migrations';
import { openDatabase, type OpenedDatabase } from './db/openDatabase';
import type { SqliteDatabase } from './db/sqlite';
import { Indexer } from './index/indexer';
import { LiveUpdates, type LiveLimits } from './index/liveUpdates';
import { DEFAULT_MAX_FILE_BYTES } from './index/prepareFile';
import type { FileUpdateResult, IndexOptions, IndexSummary } from './index/types';
import { retryWhileLocked } from './store/busy';
import { VaultStore } from './store/vaultStore';
import { searchLexical, type LexicalSearchOptions } from './search/lexicalSearch';
import type { SearchHit, SkippedFile, SkipReason } from './types';

export type { FileUpdateResult, IndexOptions, IndexProgress, IndexSummary } from './index/types';
export type { MigrationProgress } from './db/migrations';
export type { LexicalSearchOptions } from './search/lexicalSearch';
export type { HealthReport } from './db/health';
export { toFtsQuery } from './search/ftsQuery';
export { releaseOwnProcessLock, VaultLockedError } from './lock/ownerLock';
export { DatabaseDamagedError, DatabaseMissingError } from './db/openDatabase';

export interface VaultOpenOptions {
  /** Read without taking the owner lock (another process may be writing). Never writes. */
  readOnly?: boolean;
  /**
   * Create the vault when the file does not exist (default true for writing). Only indexing
   * creates a vault: commands that read or add to one refuse a path where there is none.
   */
  create?: boolean;
  /**
   * Progress of a schema upgrade that re-indexes the notes (e.g. migration 0004 segments the
   * text of every chunk). Called synchronously while Vault.open runs; never for a vault that is
   * up to date.
   */
  onUpgradeProgress?: (p: MigrationProgress) => void;
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

export class Vault {
  private readonly store: VaultStore;
  private readonly indexer: Indexer;
  private readonly live: LiveUpdates;
  /** Limits for live updates: the ones of the last full index, or the defaults. */
  private limits: LiveLimits = { maxFileBytes: DEFAULT_MAX_FILE_BYTES };
  private closed = false;

  private constructor(private readonly opened: OpenedDatabase) {
    this.store = new VaultStore(opened.db);
    this.indexer = new Indexer(opened.db, this.store);
    this.live = new LiveUpdates(this.indexer, this.store);
  }

  get db(): SqliteDatabase {
    return this.opened.db;
  }

  get file(): string {
    return this.opened.file;
  }

  get readOnly(): boolean {
    return this.opened.readOnly;
  }

  /** The open-time check (db/health.ts). A vault found damaged is only read: every write is refused. */
  get health(): HealthReport {
    return this.opened.health;
  }

  /**
   * Opens the vault in `dbFile` (for writing, creating it unless `create: false`). Throws
   * VaultLockedError when another live process writes it (open it with { readOnly: true } to
   * search it meanwhile), DatabaseDamagedError when it is damaged and would be written, and
   * DatabaseMissingError for a missing file that is not to be created.
   */
  static open(dbFile: string, opts: VaultOpenOptions = {}): Vault {
    const file = resolve(dbFile);
    if (opts.readOnly) return new Vault(openDatabase(file, { readOnly: true }));
    const opened = openDatabase(file, { create: opts.create ?? true, onMigrationProgress: opts.onUpgradeProgress });
    try {
      // Rollback journal in its default DELETE mode (kill -9 safe: a hot journal is rolled back
      // on the next open). A journal file that stays (TRUNCATE/PERSIST) made commits no cheaper
      // here but every read dearer: each read lock then opens it to see whether it is hot.
      // synchronous = NORMAL syncs at the critical points only (one fsync less per commit; the
      // index can be rebuilt from the notes). A few MB of page cache speed up batched FTS inserts.
      opened.db.exec('PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000; PRAGMA temp_store = MEMORY');
      const vault = new Vault(opened);
      // A bulk index killed before its end left the chunks(hash) index dropped (see VaultStore).
      retryWhileLocked(() => opened.db.transaction(() => vault.store.ensureChunkHashIndex()));
      return vault;
    } catch (err) {
      opened.close();
      throw err;
    }
  }

  /** Indexes (or brings up to date) the given folders. */
  async indexRoots(roots: readonly string[], opts: IndexOptions = {}): Promise<IndexSummary> {
    this.assertWritable('index');
    const realRoots = roots.map((r) => {
      try {
        return realpathSync(r);
      } catch {
        return resolve(r);
      }
    });
    this.limits = { maxFileBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, maxChunkChars: opts.maxChunkChars, realRoots, followExternalSymlinks: opts.followExternalSymlinks };
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
    this.opened.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`The vault ${this.file} is closed.`);
  }

  private assertWritable(what: string): void {
    this.assertOpen();
    if (this.readOnly) throw new Error(`The vault ${this.file} is open read-only; cannot ${what}. Another process writes it.`);
  }
}
