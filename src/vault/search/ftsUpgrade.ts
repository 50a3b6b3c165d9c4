// Migration 0004's step: the fts_ columns of every chunk already in the vault, and their
// full-text rows, written in batches with progress. It runs inside the migration's transaction,
// between the creation of the new chunks_fts table and of its triggers (so that no trigger
// fires for the rows it updates).
import type { SqliteDatabase } from '../db/sqlite';
import { ftsTextOf } from './ftsText';

const BATCH = 1000;

export function fillFtsColumns(db: SqliteDatabase, progress: (done: number, total: number) => void): void {
  const total = Number(db.get<{ n: number }>('SELECT count(*) AS n FROM chunks')?.n ?? 0);
  // A new vault has nothing to re-index: no progress, so no "upgrading" notice for it.
  if (total === 0) return;
  progress(0, total);
  let last = 0;
  let done = 0;
  for (;;) {
    const rows = db.all<{ id: number; title: string; headings: string; body: string; path: string | null }>(
      'SELECT c.id AS id, c.title AS title, c.headings AS headings, c.body AS body, d.path AS path FROM chunks c LEFT JOIN documents d ON d.id = c.doc_id WHERE c.id > ? ORDER BY c.id LIMIT ?',
      [last, BATCH],
    );
    if (rows.length === 0) break;
    for (const r of rows) {
      const f = ftsTextOf(r, r.path ?? '');
      if (f.ftsTitle !== null || f.ftsHeadings !== null || f.ftsBody !== null) {
        db.run('UPDATE chunks SET fts_title = ?, fts_headings = ?, fts_body = ? WHERE id = ?', [f.ftsTitle, f.ftsHeadings, f.ftsBody, r.id]);
      }
    }
    const first = rows[0]!.id;
    last = rows[rows.length - 1]!.id;
    // One statement per batch: FTS5 flushes a segment per statement, not per row.
    db.run('INSERT INTO chunks_fts(rowid, title, headings, body, tags) SELECT id, title, headings, body, tags FROM chunks_fts_source WHERE id BETWEEN ? AND ? ORDER BY id', [first, last]);
    done += rows.length;
    progress(done, total);
  }
}
