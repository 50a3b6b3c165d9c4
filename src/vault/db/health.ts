// Is a database file whole? Two depths of checking:
//
// - On every open, cheaply (a few ms on a 60 MB vault, `npm run bench openCheck`): the file header,
//   the schema against what the migrations create, SQLite's quick_check of the tables that no
//   re-index can rebuild (bookmarks, conversations, model records, ...), and a structural look at
//   up to SAMPLED_PAGES pages read straight from the file (every page of a vault up to 8 MB).
//   SQLite's own full check reads every page through the b-trees: ~0.7-1.3 s on 10k notes, too
//   dear for every `search`.
// - In full (`codex-vault doctor`, and in the background in VS Code): PRAGMA integrity_check, and
//   FTS5's check of its index against the chunks.
//
// The page look relies on the file format (https://sqlite.org/fileformat.html): every page of a
// database is a b-tree page (its first byte 2, 5, 10 or 13, then a header whose offsets must fit
// the page), or an overflow or freelist page (its first 4 bytes the number of another page, or 0).
// A page overwritten with random bytes fails that with a probability near 1; a page of zeros, or a
// valid page written in the wrong place, passes and is left to the full check.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SqliteError, type SqliteDatabase } from './sqlite';

/** Pages read on open: all of a database up to this many, else this many spread over it. */
const SAMPLED_PAGES = 2048;

/**
 * Tables whose rows a rebuild from the notes cannot bring back: checked on every open, and what
 * `doctor --salvage` copies into a fresh vault.
 */
export const KEPT_TABLES = ['bookmarks', 'conversations', 'messages', 'settings', 'models'] as const;

export interface HealthReport {
  ok: boolean;
  /** What is wrong, one line each, most telling first. */
  problems: string[];
  /** Tables and indexes named by the problems (when SQLite says which). */
  affected: string[];
  /** What was looked at, for the record ("header", "schema", "quick_check of 5 tables", ...). */
  checked: string[];
  ms: number;
}

interface Header {
  pageSize: number;
  usable: number;
  /** Pages in the file (its size over the page size). */
  filePages: number;
  /** The header's own page count, when it is valid. */
  headerPages: number | null;
  autoVacuum: boolean;
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Reads and checks the 100-byte header. An empty file (a database not written yet) is fine. */
function readHeader(fd: number, problems: string[]): Header | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const h = Buffer.alloc(100);
  const n = readSync(fd, h, 0, 100, 0);
  if (n < 100 || !h.subarray(0, 16).equals(MAGIC)) {
    problems.push('the file does not start with an SQLite header (overwritten, or not a database)');
    return undefined;
  }
  const raw = h.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    problems.push(`the header gives an impossible page size (${raw})`);
    return undefined;
  }
  if (h[21] !== 64 || h[22] !== 32 || h[23] !== 32) problems.push('the header\'s payload fractions are not SQLite\'s fixed values');
  const format = h.readUInt32BE(44);
  if (format > 4) problems.push(`the header gives an unknown schema format (${format})`);
  if (size % pageSize !== 0) problems.push(`the file is ${size} bytes, not a whole number of ${pageSize}-byte pages (cut short?)`);
  const filePages = Math.floor(size / pageSize);
  const counted = h.readUInt32BE(28);
  const headerPages = counted > 0 && h.readUInt32BE(92) === h.readUInt32BE(24) ? counted : null;
  if (headerPages !== null && headerPages > filePages) problems.push(`the header counts ${headerPages} pages but the file holds ${filePages} (cut short)`);
  return { pageSize, usable: pageSize - h[20]!, filePages, headerPages, autoVacuum: h.readUInt32BE(52) !== 0 };
}

/** Why page `no` (1-based) cannot be any kind of SQLite page, or undefined when it could be. */
function pageProblem(b: Buffer, base: number, no: number, pages: number, usable: number): string | undefined {
  const h = base + (no === 1 ? 100 : 0);
  const type = b[h]!;
  if (type === 2 || type === 5 || type === 10 || type === 13) {
    const interior = type === 2 || type === 5;
    const cells = b.readUInt16BE(h + 3);
    // Offsets within the page.
    const pointersEnd = h - base + (interior ? 12 : 8) + 2 * cells;
    const content = b.readUInt16BE(h + 5) || 65536;
    const freeblock = b.readUInt16BE(h + 1);
    if (pointersEnd > usable || content < pointersEnd || content > usable) return `page ${no}: a b-tree page whose cells do not fit it`;
    if (freeblock !== 0 && (freeblock < content || freeblock > usable - 4)) return `page ${no}: a b-tree page with a free block outside it`;
    if (b[h + 7]! > 60) return `page ${no}: a b-tree page with an impossible fragment count`;
    if (interior) {
      const right = b.readUInt32BE(h + 8);
      if (right < 1 || right > pages) return `page ${no}: an interior page pointing past the end of the file`;
    }
    for (let i = 0; i < cells; i++) {
      const cell = b.readUInt16BE(h + (interior ? 12 : 8) + 2 * i);
      if (cell < content || cell >= usable) return `page ${no}: a cell outside the page's content area`;
    }
    return undefined;
  }
  if (no === 1) return 'page 1: the schema\'s page is not a b-tree page';
  // Overflow and freelist pages start with the number of the next such page, or 0.
  if (b.readUInt32BE(base) > pages) return `page ${no}: no kind of SQLite page (overwritten?)`;
  return undefined;
}

/** Pages read at once: a sample is read as runs of contiguous pages (one read each). */
const RUN_PAGES = 64;

/**
 * The runs of pages to look at, as [first page, count]: every page, or `limit` pages in runs spread
 * evenly from a random start (for damage at random places, as telling as single pages, and one
 * read per run instead of one per page).
 */
function runsToRead(pages: number, limit: number): [number, number][] {
  if (pages <= limit) {
    const all: [number, number][] = [];
    for (let p = 1; p <= pages; p += RUN_PAGES) all.push([p, Math.min(RUN_PAGES, pages - p + 1)]);
    return all;
  }
  const runs = Math.ceil(limit / RUN_PAGES);
  const step = (pages - RUN_PAGES) / runs;
  const start = 1 + Math.floor(Math.random() * step);
  const out: [number, number][] = [[1, 1]];
  for (let i = 0; i < runs; i++) out.push([Math.floor(start + i * step), RUN_PAGES]);
  return out;
}

/** The header and a sample of pages, read from the file without SQLite. */
export function checkFile(file: string, problems: string[], checked: string[], limit = SAMPLED_PAGES): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return; // a missing file is the caller's concern
  }
  try {
    const header = readHeader(fd, problems);
    checked.push('header');
    if (!header || problems.length > 0 || header.autoVacuum) return;
    const pages = Math.min(header.filePages, header.headerPages ?? header.filePages);
    // The page that holds the byte-range locks of other SQLite builds is never used.
    const lockPage = Math.floor(0x40000000 / header.pageSize) + 1;
    const buf = Buffer.alloc(header.pageSize * RUN_PAGES);
    let looked = 0;
    for (const [first, count] of runsToRead(pages, limit)) {
      const got = Math.floor(readSync(fd, buf, 0, header.pageSize * count, (first - 1) * header.pageSize) / header.pageSize);
      for (let i = 0; i < got && problems.length < 20; i++) {
        const no = first + i;
        if (no === lockPage) continue;
        const p = pageProblem(buf, i * header.pageSize, no, pages, header.usable);
        if (p) problems.push(p);
      }
      looked += got;
    }
    checked.push(looked >= pages ? `all ${pages} pages` : `${looked} of ${pages} pages`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The tables every vault (and model records database) has from migration 0001 on. A unit test
 * keeps this list within what the migrations create; deriving it at run time (an in-memory
 * database through every migration) cost ~150 ms per process, more than the rest of the check.
 */
export const REQUIRED_TABLES = ['schema_migrations', 'roots', 'documents', 'chunks', 'chunks_fts', 'embeddings', 'bookmarks', 'settings', 'conversations', 'messages', 'models', 'skipped_files'] as const;

function sqliteMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The schema (readable, with the vault's tables), then quick_check of the tables a rebuild cannot restore. */
function checkSchemaAndKeptTables(db: SqliteDatabase, problems: string[], affected: string[], checked: string[]): void {
  let present: Set<string>;
  try {
    present = new Set(db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").map((r) => String(r.name)));
  } catch (err) {
    problems.push(`the schema cannot be read: ${sqliteMessage(err)}`);
    return;
  }
  checked.push('schema');
  // A new, empty database, or one that only starts being migrated, has nothing to miss yet.
  if (present.size === 0 || !present.has('schema_migrations') || present.size === 1) return;
  const missing = REQUIRED_TABLES.filter((t) => !present.has(t));
  if (missing.length > 0) {
    problems.push(`the schema lacks the table${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    affected.push(...missing);
  }
  const kept = KEPT_TABLES.filter((t) => present.has(t));
  for (const t of kept) {
    try {
      const rows = db.all<{ quick_check: string }>(`PRAGMA quick_check('${t}')`).map((r) => r.quick_check);
      if (rows.join() !== 'ok') {
        problems.push(`${t}: ${rows.slice(0, 3).join('; ')}`);
        affected.push(t);
      }
    } catch (err) {
      problems.push(`${t}: ${sqliteMessage(err)}`);
      affected.push(t);
    }
  }
  if (kept.length > 0) checked.push(`quick_check of ${kept.join(', ')}`);
}

/** Tables and indexes that integrity_check's messages name ("Tree 12 page 5 ...", "... index chunks_hash", "... FTS5 table main.chunks_fts"). */
function namesIn(messages: string[], db: SqliteDatabase): string[] {
  let roots = new Map<number, string>();
  try {
    roots = new Map(db.all<{ rootpage: number; name: string }>('SELECT rootpage, name FROM sqlite_schema WHERE rootpage > 0').map((r) => [Number(r.rootpage), String(r.name)]));
  } catch {
    // the schema itself is unreadable: no names
  }
  const names = new Set<string>();
  for (const m of messages) {
    const tree = /\bTree (\d+)\b/.exec(m);
    if (tree && roots.has(Number(tree[1]))) names.add(roots.get(Number(tree[1]))!);
    const index = /\bindex (?!for\b)([A-Za-z_]\w*)/.exec(m);
    if (index) names.add(index[1]!);
    const fts = /\bFTS5 table (?:\w+\.)?(\w+)/.exec(m);
    if (fts) names.add(fts[1]!);
  }
  return [...names];
}

/** Runs one integrity_check statement and adds what it says. Throws when the check itself fails. */
function integrityCheck(db: SqliteDatabase, sql: string, problems: string[], affected: string[]): void {
  const rows = db.all<{ integrity_check: string }>(sql).flatMap((r) => String(r.integrity_check).split('\n'));
  if (rows.join() === 'ok') return;
  affected.push(...namesIn(rows, db));
  // Pages a damaged b-tree no longer reaches are listed one by one: say it once.
  const unused = rows.filter((m) => /^Page \d+: never used$/.test(m)).length;
  problems.push(...rows.filter((m) => !/^Page \d+: never used$/.test(m) && !m.startsWith('*** in database')));
  if (unused > 0) problems.push(`${rows.length >= 100 ? 'at least ' : ''}${unused} page(s) no longer reached from any table (their rows are lost with the damaged pages)`);
}

/**
 * SQLite's full integrity_check, then FTS5's own check of its index (a write statement that
 * changes nothing; only on a connection that may write).
 */
export function fullCheck(db: SqliteDatabase, opts: { fts: boolean }): HealthReport {
  const t = performance.now();
  const problems: string[] = [];
  const affected: string[] = [];
  const checked: string[] = [];
  const pageProblems: string[] = [];
  checkFile(db.file, pageProblems, checked, Number.MAX_SAFE_INTEGER);
  // A long-open connection keeps pages in its cache, and damage that leaves the header's change
  // counter alone does not invalidate them: drop them, so the check reads the file itself.
  if (!db.inTransaction) db.exec('PRAGMA shrink_memory');
  // SQLite's check runs even after pages were found broken: it names the tables they belong to,
  // so its findings come first.
  try {
    integrityCheck(db, 'PRAGMA integrity_check(100)', problems, affected);
    checked.push('integrity_check');
  } catch {
    // The check itself stops at some damage (FTS5's part of it raises an error instead of a
    // message): check table by table, so that every table gets its verdict.
    let tables: string[] = [];
    try {
      tables = db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map((r) => String(r.name));
    } catch (err) {
      problems.push(`the schema cannot be read: ${sqliteMessage(err)}`);
    }
    for (const table of tables) {
      try {
        integrityCheck(db, `PRAGMA integrity_check('${table.replace(/'/g, "''")}')`, problems, affected);
      } catch (err) {
        problems.push(`${table}: ${sqliteMessage(err)}`);
        affected.push(table);
      }
    }
    checked.push(`integrity_check of ${tables.length} tables one by one`);
  }
  problems.push(...pageProblems);
  if (problems.length === 0 && opts.fts && !db.readOnly && db.get("SELECT 1 AS x FROM sqlite_schema WHERE name = 'chunks_fts'")) {
    try {
      db.run("INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 1)");
      checked.push('full-text index');
    } catch (err) {
      problems.push(`the full-text index does not match the chunks: ${sqliteMessage(err)}`);
      affected.push('chunks_fts');
    }
  }
  return { ok: problems.length === 0, problems, affected: [...new Set(affected)], checked, ms: Math.round(performance.now() - t) };
}

/** The open-time check: header, sampled pages, schema, quick_check of the kept tables. */
export function openCheck(db: SqliteDatabase): HealthReport {
  const t = performance.now();
  const problems: string[] = [];
  const affected: string[] = [];
  const checked: string[] = [];
  // One read transaction: on this VFS every statement outside one takes and drops the file lock.
  // The pages are read straight from the file inside it too, so that no writer commits meanwhile
  // (a page half rewritten, a header counting pages not written yet, would look like damage).
  let pagesChecked = false;
  const run = (): void => {
    checkFile(db.file, problems, checked);
    pagesChecked = true;
    checkSchemaAndKeptTables(db, problems, affected, checked);
  };
  if (db.inTransaction) run();
  else {
    try {
      db.transaction(run, false);
    } catch (err) {
      // Another process holds the lock: that says nothing about the file; the caller waits and asks again.
      if (err instanceof SqliteError && err.code === 'locked') throw err;
      problems.push(sqliteMessage(err));
      // The transaction could not even start: the pages still say what is wrong.
      if (!pagesChecked) checkFile(db.file, problems, checked);
    }
  }
  return { ok: problems.length === 0, problems, affected: [...new Set(affected)], checked, ms: Math.round((performance.now() - t) * 10) / 10 };
}
