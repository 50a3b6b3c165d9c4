// The one wrapper over node-sqlite3-wasm. Open files through db/openDatabase.ts, which adds the
// owner lock, crash recovery and the health check; only it (and the journal recovery it runs)
// calls SqliteDatabase.open.
//
// node-sqlite3-wasm statements hold WASM memory and are never finalized by the garbage
// collector, so a forgotten `finalize()` leaks for the life of the process. This wrapper
// never hands a raw statement out: one-shot queries finalize in `finally`, and prepared
// statements live in a per-connection cache that is finalized on close.
//
// Every connection announces itself in `<db>.holders` while it may hold SQLite's `<db>.lock`
// directory (lock/lockHolders.ts): from before it steps a statement until no statement of it is
// mid-result and no transaction is open. That is how a lock left by a killed process is told from
// a live one (lock/staleSqliteLock.ts), so nothing here steps a statement outside enter()/exit().
import { Database as WasmDatabase, type Statement } from 'node-sqlite3-wasm';
import { LockAnnouncement } from '../lock/lockHolders';

export type SqlValue = number | bigint | string | Uint8Array | null;
export type SqlParams = readonly (SqlValue | boolean)[] | Record<string, SqlValue | boolean>;
export type Row = Record<string, SqlValue>;

export interface OpenOptions {
  readOnly?: boolean;
  /** Fail instead of creating a new, empty database file. */
  mustExist?: boolean;
  /**
   * Called when a statement is refused with "database is locked", before the error is thrown
   * (the connection holds no lock then, and has withdrawn its announcement): the place to
   * recover a lock left by a dead process. Its errors are ignored.
   */
  onLocked?: () => void;
}

export class SqliteError extends Error {
  /** The database file, when known. */
  readonly file: string | undefined;
  constructor(message: string, readonly code: 'locked' | 'corrupt' | 'cantopen' | 'readonly' | 'other', options?: { cause?: unknown; file?: string }) {
    super(message, options);
    this.name = 'SqliteError';
    this.file = options?.file;
  }
}

function classify(err: unknown, file: string, writesRefused?: string): SqliteError {
  if (err instanceof SqliteError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const o = { cause: err, file };
  if (/database is locked|SQLITE_BUSY/i.test(msg)) return new SqliteError(`The database ${file} is locked by another process.`, 'locked', o);
  if (/malformed|not a database|file is encrypted/i.test(msg)) return new SqliteError(`The database ${file} is corrupt (${msg}).`, 'corrupt', o);
  if (/Could not open/i.test(msg)) return new SqliteError(`Could not open the database ${file}.`, 'cantopen', o);
  if (/readonly database/i.test(msg)) return new SqliteError(writesRefused ?? `The database ${file} is open read-only (${msg}).`, 'readonly', o);
  return new SqliteError(msg, 'other', o);
}

/** node-sqlite3-wasm has no public reset; its statements carry a private `_reset`. */
function resetStatement(s: Statement): void {
  const r = (s as unknown as { _reset?: () => boolean })._reset;
  if (typeof r === 'function') r.call(s);
}

export class SqliteDatabase {
  private readonly db: WasmDatabase;
  private readonly cache = new Map<string, Statement>();
  private depth = 0;
  private writesRefused: string | undefined;
  /** Calls running, plus iterators not finished: while above 0 (or in a transaction) the connection may hold the lock. */
  private active = 0;
  private readonly holds: LockAnnouncement;

  private constructor(db: WasmDatabase, readonly file: string, readonly readOnly: boolean, private readonly onLocked: (() => void) | undefined) {
    this.db = db;
    this.holds = new LockAnnouncement(file);
  }

  static open(file: string, options: OpenOptions = {}): SqliteDatabase {
    let db: WasmDatabase;
    try {
      // Opening takes no lock: the file is first read by the statements below.
      db = new WasmDatabase(file, { readOnly: options.readOnly ?? false, fileMustExist: options.mustExist ?? false });
    } catch (err) {
      throw classify(err, file);
    }
    const conn = new SqliteDatabase(db, file, options.readOnly ?? false, options.onLocked);
    try {
      // Foreign keys cascade chunk and message deletions; a busy wait would only spin in WASM,
      // so lock conflicts are handled by the vault's own owner lock instead.
      conn.exec('PRAGMA foreign_keys = ON');
      // Extra checks of each b-tree page as it is read (cheap): a damaged page then fails the query
      // with "malformed" instead of yielding wrong rows.
      conn.exec('PRAGMA cell_size_check = ON');
      // Touch the schema so that a file that is not a database fails here with a clear error.
      conn.get('SELECT count(*) AS n FROM sqlite_schema');
    } catch (err) {
      conn.close();
      throw err instanceof SqliteError ? err : classify(err, file);
    }
    return conn;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /**
   * From now on every write fails with `reason` (SQLite's query_only: nothing is written, reads
   * go on). For a database found damaged, so that no feature writes into it.
   */
  refuseWrites(reason: string): void {
    this.exec('PRAGMA query_only = ON');
    this.writesRefused = reason;
  }

  /** Why writes are refused, if they are. */
  get refusedWrites(): string | undefined {
    return this.writesRefused;
  }

  exec(sql: string): void {
    this.wrap(() => this.db.exec(sql));
  }

  /** Runs a statement through the connection's statement cache. */
  run(sql: string, params?: SqlParams): { changes: number; lastInsertRowid: number } {
    const r = this.wrap(() => {
      const s = this.stmt(sql);
      try {
        return s.run(params as never);
      } finally {
        // `run` steps once: a statement that returns rows would stay mid-result, holding the lock.
        resetStatement(s);
      }
    });
    return { changes: r.changes, lastInsertRowid: Number(r.lastInsertRowid) };
  }

  get<T extends Row = Row>(sql: string, params?: SqlParams): T | undefined {
    return this.wrap(() => {
      const s = this.stmt(sql);
      try {
        return (s.get(params as never) ?? undefined) as T | undefined;
      } finally {
        // `get` leaves the statement stepped mid-result, which keeps SQLite's read lock (and the
        // VFS's lock directory) held; reset it so that other connections are not blocked.
        resetStatement(s);
      }
    });
  }

  all<T extends Row = Row>(sql: string, params?: SqlParams): T[] {
    return this.wrap(() => this.stmt(sql).all(params as never)) as T[];
  }

  /** Iterates rows lazily; the statement is reset when iteration ends or stops early. */
  *iterate<T extends Row = Row>(sql: string, params?: SqlParams): Generator<T> {
    // Between the rows the statement holds the lock: the iteration counts as running until it ends.
    this.enter();
    try {
      // A private, one-shot statement: a cached one could be re-bound by a nested query mid-iteration.
      const s = this.wrap(() => this.db.prepare(sql));
      try {
        const rows = s.iterate(params as never)[Symbol.iterator]();
        for (;;) {
          const next = this.wrap(() => rows.next());
          if (next.done) return;
          yield next.value as T;
        }
      } finally {
        try {
          s.finalize();
        } catch {
          // the step's error, already thrown
        }
      }
    } finally {
      this.exit();
    }
  }

  /**
   * Runs `fn` in a transaction (savepoints when nested). Rolls back on any throw.
   * `immediate` takes the write lock up front, so a conflict fails before work is done.
   */
  transaction<T>(fn: () => T, immediate = true): T {
    this.enter();
    try {
      return this.inTransactionScope(fn, immediate);
    } finally {
      this.exit();
    }
  }

  private inTransactionScope<T>(fn: () => T, immediate: boolean): T {
    if (this.depth > 0) {
      const name = `sp${this.depth}`;
      this.exec(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const r = fn();
        this.exec(`RELEASE ${name}`);
        return r;
      } catch (err) {
        this.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    this.exec(immediate ? 'BEGIN IMMEDIATE' : 'BEGIN');
    this.depth++;
    try {
      // A read transaction takes its lock now, so that a "locked" is met here, before any work,
      // and reported as such: met later by FTS5 connecting its table, it reads "vtable constructor
      // failed", which no caller can tell from a real failure.
      if (!immediate) this.get('SELECT 1 AS one FROM sqlite_schema LIMIT 1');
      const r = fn();
      this.exec('COMMIT');
      return r;
    } catch (err) {
      if (this.db.inTransaction) this.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Registers a deterministic scalar SQL function implemented in JS. */
  defineFunction(name: string, fn: (...args: SqlValue[]) => SqlValue | boolean): void {
    this.db.function(name, fn, { deterministic: true });
  }

  close(): void {
    if (!this.db.isOpen) return;
    for (const s of this.cache.values()) {
      try {
        if (!s.isFinalized) s.finalize();
      } catch {
        // finalize() repeats the error of the statement's last step, already thrown to its caller.
      }
    }
    this.cache.clear();
    try {
      this.db.close();
    } finally {
      // Closed (or failed to close, which releases the file too): it holds no lock any more.
      this.holds.dispose();
    }
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Before anything that may step a statement: announce first, so the lock is never held unannounced. */
  private enter(): void {
    if (!this.holds.isPresent) this.holds.announce();
    this.active++;
  }

  /** After it: withdraw once nothing of this connection runs and no transaction is open. */
  private exit(): void {
    this.active--;
    if (this.active === 0 && !(this.db.isOpen && this.db.inTransaction)) this.holds.withdraw();
  }

  private wrap<T>(fn: () => T): T {
    this.enter();
    try {
      return fn();
    } catch (err) {
      const e = classify(err, this.file, this.writesRefused);
      if (e.code === 'locked') {
        // The VFS never refuses a connection the lock it holds, so this one holds none now: it
        // withdraws while it waits (so that recoveries running meanwhile do not count it as a
        // holder), and announces again before its next statement.
        this.holds.withdraw();
        try {
          this.onLocked?.();
        } catch {
          // the "locked" error below is what the caller handles
        }
      }
      throw e;
    } finally {
      this.exit();
    }
  }
}
