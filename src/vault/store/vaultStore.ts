// Reads and writes of the vault's notes: roots, documents, chunks (and through triggers the FTS
// index), and the list of skipped files. Callers group writes into transactions; every method
// here is one small step, so a batch of 200 files is one transaction of many cached statements.
import { basename } from 'node:path';
import type { SqliteDatabase } from '../db/sqlite';
import { ftsTitleOf } from '../search/ftsText';
import type { SkippedFile } from '../types';
import type { ChunkRecord, DocumentRecord, DocumentRow, RootRow } from './rows';

interface OldChunk {
  id: number;
  ord: number;
  start_line: number;
  end_line: number;
  hash: string;
  title: string;
  headings: string;
  tags: string;
  fts_title: string | null;
}

const DOC_COLUMNS = 'id, root_id AS rootId, path, size, mtime_ms AS mtimeMs, hash, title';

/** Chunks inserted while the FTS trigger stands aside: their full-text rows are still to write. */
interface DeferredFts {
  ids: number[];
  docs: Set<number>;
}

export class VaultStore {
  private deferred: DeferredFts | undefined;

  constructor(private readonly db: SqliteDatabase) {}

  /**
   * Runs `fn` (inside the caller's write transaction) with the full-text rows of the chunks it
   * inserts written by one statement at its end, instead of one trigger call per chunk: FTS5
   * flushes its pending terms at every statement savepoint, so per-row inserts write one tiny
   * segment per chunk and then merge them (migration 0003 has the figures). The marker row
   * that makes chunks_ai stand aside is removed before `fn`'s transaction can commit; if `fn`
   * throws, the caller's rollback takes the marker and the chunks away together.
   */
  withBatchedFts<T>(fn: () => T): T {
    if (!this.db.inTransaction) throw new Error('withBatchedFts must run inside a write transaction.');
    if (this.deferred) return fn();
    this.db.run('INSERT INTO fts_deferred (id) VALUES (1)');
    this.deferred = { ids: [], docs: new Set() };
    try {
      const r = fn();
      this.flushDeferredFts();
      this.db.run('DELETE FROM fts_deferred');
      return r;
    } finally {
      this.deferred = undefined;
    }
  }

  /**
   * Drops the chunks(hash) index for a bulk load (inside the load's first write transaction).
   * Chunk hashes are random, so each batch of new chunks lands on most pages of that index, and
   * every commit journals and rewrites them all: on 10k notes it was over half of the bytes
   * written (114 of 315 MB in the journal, 90 in the file) for a 61 MB database. Building the
   * index once at the end sorts 50k hashes instead. A run killed in between leaves the vault
   * without the index (still consistent, lookups by hash only slower) until ensureChunkHashIndex
   * runs, at the end of the next index or when the vault is next opened for writing.
   */
  dropChunkHashIndex(): void {
    this.db.exec('DROP INDEX IF EXISTS chunks_hash');
  }

  /** Creates the chunks(hash) index if a bulk load dropped it. Returns true when it was missing. */
  ensureChunkHashIndex(): boolean {
    if (this.db.get("SELECT 1 AS x FROM sqlite_schema WHERE type = 'index' AND name = 'chunks_hash'")) return false;
    this.db.exec('CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(hash)');
    return true;
  }

  /** Writes the FTS rows of the chunks inserted so far in a batch (ascending ids, as FTS5 likes). */
  private flushDeferredFts(): void {
    const d = this.deferred;
    if (!d || d.ids.length === 0) return;
    this.db.run('INSERT INTO chunks_fts(rowid, title, headings, body, tags) SELECT id, title, headings, body, tags FROM chunks_fts_source WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', [JSON.stringify(d.ids)]);
    d.ids = [];
    d.docs.clear();
  }

  /**
   * Before a statement that updates or deletes a document's chunks: the chunks_ad/chunks_au
   * triggers remove FTS rows, so chunks of this document still waiting for theirs get them first.
   */
  private flushIfDeferred(docId: number): void {
    if (this.deferred?.docs.has(docId)) this.flushDeferredFts();
  }

  roots(): RootRow[] {
    return this.db.all<{ id: number; path: string; name: string }>('SELECT id, path, name FROM roots ORDER BY path');
  }

  rootId(absPath: string): number | undefined {
    const r = this.db.get<{ id: number }>('SELECT id FROM roots WHERE path = ?', [absPath]);
    return r?.id;
  }

  /** The id of a root, registering it on first use. */
  ensureRoot(absPath: string): number {
    const id = this.rootId(absPath);
    if (id !== undefined) return id;
    return this.db.run('INSERT INTO roots (path, name) VALUES (?, ?)', [absPath, basename(absPath) || absPath]).lastInsertRowid;
  }

  documentsOfRoot(rootId: number): Map<string, DocumentRow> {
    const map = new Map<string, DocumentRow>();
    for (const r of this.db.iterate<DocumentRow & Record<string, number | string>>(`SELECT ${DOC_COLUMNS} FROM documents WHERE root_id = ?`, [rootId])) {
      map.set(r.path, { ...r });
    }
    return map;
  }

  document(rootId: number, path: string): DocumentRow | undefined {
    const r = this.db.get<DocumentRow & Record<string, number | string>>(`SELECT ${DOC_COLUMNS} FROM documents WHERE root_id = ? AND path = ?`, [rootId, path]);
    return r ? { ...r } : undefined;
  }

  insertDocument(rootId: number, doc: DocumentRecord, now = Date.now()): number {
    const id = this.db.run(
      'INSERT INTO documents (root_id, path, size, mtime_ms, hash, title, tags, aliases, links, line_count, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [rootId, doc.path, doc.size, doc.mtimeMs, doc.hash, doc.title, JSON.stringify(doc.tags), JSON.stringify(doc.aliases), JSON.stringify(doc.links), doc.lineCount, now],
    ).lastInsertRowid;
    for (const c of doc.chunks) this.insertChunk(id, c);
    return id;
  }

  /**
   * Replaces a document's content. Chunks whose text, headings and title did not change keep
   * their ids (only their position is updated), so references to them survive an edit elsewhere
   * in the file. Returns the number of chunks inserted or changed.
   */
  replaceDocument(docId: number, doc: DocumentRecord, now = Date.now()): number {
    this.flushIfDeferred(docId);
    this.db.run(
      'UPDATE documents SET path = ?, size = ?, mtime_ms = ?, hash = ?, title = ?, tags = ?, aliases = ?, links = ?, line_count = ?, indexed_at = ? WHERE id = ?',
      [doc.path, doc.size, doc.mtimeMs, doc.hash, doc.title, JSON.stringify(doc.tags), JSON.stringify(doc.aliases), JSON.stringify(doc.links), doc.lineCount, now, docId],
    );
    const old = this.db.all<OldChunk & Record<string, number | string | null>>('SELECT id, ord, start_line, end_line, hash, title, headings, tags, fts_title FROM chunks WHERE doc_id = ? ORDER BY ord', [docId]);
    const pool = new Map<string, OldChunk[]>();
    for (const o of old) {
      const key = `${o.hash}\u0000${o.title}\u0000${o.headings}\u0000${o.tags}\u0000${o.fts_title ?? ''}`;
      const list = pool.get(key);
      if (list) list.push(o);
      else pool.set(key, [o]);
    }
    let written = 0;
    for (const c of doc.chunks) {
      const same = pool.get(`${c.hash}\u0000${c.title}\u0000${c.headings}\u0000${c.tags}\u0000${c.ftsTitle ?? ''}`)?.shift();
      if (!same) {
        this.insertChunk(docId, c);
        written++;
      } else if (same.ord !== c.ord || same.start_line !== c.startLine || same.end_line !== c.endLine) {
        this.db.run('UPDATE chunks SET ord = ?, start_line = ?, end_line = ? WHERE id = ?', [c.ord, c.startLine, c.endLine, same.id]);
      }
    }
    for (const rest of pool.values()) for (const o of rest) this.db.run('DELETE FROM chunks WHERE id = ?', [o.id]);
    return written;
  }

  /** Same bytes, new size/mtime (e.g. touched, or copied back): nothing to re-index. */
  touchDocument(docId: number, size: number, mtimeMs: number): void {
    this.db.run('UPDATE documents SET size = ?, mtime_ms = ? WHERE id = ?', [size, mtimeMs, docId]);
  }

  /**
   * A rename with unchanged content: the document and its chunks keep their ids; only the path
   * (and, when the title came from the file name, the title) changes. The file name is indexed
   * with the title (fts_title), so the chunks' full-text rows follow the new name.
   */
  renameDocument(docId: number, path: string, size: number, mtimeMs: number, title?: { title: string; chunkTitle: string }): void {
    this.db.run('UPDATE documents SET path = ?, size = ?, mtime_ms = ? WHERE id = ?', [path, size, mtimeMs, docId]);
    if (title) this.db.run('UPDATE documents SET title = ? WHERE id = ? AND title <> ?', [title.title, docId, title.title]);
    const chunkTitle = title?.chunkTitle ?? this.db.get<{ title: string }>('SELECT title FROM chunks WHERE doc_id = ? LIMIT 1', [docId])?.title;
    if (chunkTitle === undefined) return;
    const ftsTitle = ftsTitleOf(chunkTitle, path);
    this.flushIfDeferred(docId);
    this.db.run('UPDATE chunks SET title = ?, fts_title = ? WHERE doc_id = ? AND (title IS NOT ? OR fts_title IS NOT ?)', [chunkTitle, ftsTitle, docId, chunkTitle, ftsTitle]);
  }

  deleteDocument(docId: number): void {
    // Chunks go by ON DELETE CASCADE, and their FTS rows by the chunks_ad trigger.
    this.flushIfDeferred(docId);
    this.db.run('DELETE FROM documents WHERE id = ?', [docId]);
  }

  chunkCount(docId: number): number {
    return Number(this.db.get<{ n: number }>('SELECT count(*) AS n FROM chunks WHERE doc_id = ?', [docId])?.n ?? 0);
  }

  /** Replaces the skipped list of a root with the outcome of a full scan. */
  replaceSkipped(rootId: number, skipped: readonly SkippedFile[]): void {
    this.db.run('DELETE FROM skipped_files WHERE root_id = ?', [rootId]);
    for (const s of skipped) this.setSkipped(rootId, s);
  }

  setSkipped(rootId: number, s: SkippedFile): void {
    this.db.run('INSERT OR REPLACE INTO skipped_files (root_id, path, reason) VALUES (?, ?, ?)', [rootId, s.path, `${s.reason}: ${s.detail}`]);
  }

  clearSkipped(rootId: number, path: string): void {
    this.db.run('DELETE FROM skipped_files WHERE root_id = ? AND path = ?', [rootId, path]);
  }

  counts(): { roots: number; files: number; chunks: number; skipped: number } {
    const r = this.db.get<{ roots: number; files: number; chunks: number; skipped: number }>(
      'SELECT (SELECT count(*) FROM roots) AS roots, (SELECT count(*) FROM documents) AS files, (SELECT count(*) FROM chunks) AS chunks, (SELECT count(*) FROM skipped_files) AS skipped',
    );
    return { roots: Number(r?.roots ?? 0), files: Number(r?.files ?? 0), chunks: Number(r?.chunks ?? 0), skipped: Number(r?.skipped ?? 0) };
  }

  private insertChunk(docId: number, c: ChunkRecord): void {
    const id = this.db.run('INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body, tags, fts_title, fts_headings, fts_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      docId, c.ord, c.startLine, c.endLine, c.hash, c.title, c.headings, c.body, c.tags, c.ftsTitle, c.ftsHeadings, c.ftsBody,
    ]).lastInsertRowid;
    if (this.deferred) {
      this.deferred.ids.push(id);
      this.deferred.docs.add(docId);
    }
  }
}
