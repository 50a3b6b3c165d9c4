// Full-text search over the chunks: FTS5 bm25 with column weights, best first.
//
// All terms are required first; when that finds fewer hits than asked for and the query has
// several terms (and no explicit AND), chunks matching only some of them follow (a natural-language question rarely
// has every word in one chunk). The ranking is done inside FTS5 (`ORDER BY rank` with a
// `rank MATCH 'bm25(...)'` override), so snippets are built only for the rows returned.
import type { SqliteDatabase } from '../db/sqlite';
import type { SearchHit } from '../types';
import { termCount, toFtsQuery } from './ftsQuery';
import { snippetFromHighlight, snippetSourceSql, type SnippetOptions } from './snippet';

export interface LexicalSearchOptions {
  /** Most hits to return (default 20, at most 500). */
  limit?: number;
  /** Only notes whose path (relative to their folder) starts with this. */
  pathPrefix?: string;
  /** Only notes with this tag (front matter or #tag; case-insensitive, '#' optional). */
  tag?: string;
  /** Treat the last word as a prefix (search as you type). */
  prefixLast?: boolean;
  /** Markers around matches in the snippet (default « and »). */
  snippetMarkers?: readonly [string, string];
  /** Tokens of context in a snippet (default 16). */
  snippetTokens?: number;
}

/**
 * bm25 weights of the FTS columns (title, headings, body, tags): a word in a note's title or in
 * the heading above the chunk says more about the chunk than the same word in running text.
 */
export const COLUMN_WEIGHTS = { title: 8, headings: 4, body: 1, tags: 3 } as const;
const RANK = `bm25(${COLUMN_WEIGHTS.title}.0, ${COLUMN_WEIGHTS.headings}.0, ${COLUMN_WEIGHTS.body}.0, ${COLUMN_WEIGHTS.tags}.0)`;

interface HitRow {
  chunkId: number;
  root: string;
  path: string;
  title: string;
  startLine: number;
  endLine: number;
  heading: string;
  rank: number;
  snippet: string;
}

export function normalizePathPrefix(prefix: string): string {
  return prefix.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

export function normalizeTag(tag: string): string {
  return tag.trim().replace(/^#+/, '').toLowerCase();
}

function buildSql(filters: { pathPrefix: boolean; tag: boolean }): string {
  return [
    'SELECT c.id AS chunkId, r.path AS root, d.path AS path, d.title AS title, c.start_line AS startLine, c.end_line AS endLine,',
    `  c.headings AS heading, chunks_fts.rank AS rank, ${snippetSourceSql('c.body', 'chunks_fts', 2)} AS snippet`,
    'FROM chunks_fts',
    'JOIN chunks c ON c.id = chunks_fts.rowid',
    'JOIN documents d ON d.id = c.doc_id',
    'JOIN roots r ON r.id = d.root_id',
    `WHERE chunks_fts MATCH :match AND chunks_fts.rank MATCH '${RANK}'`,
    filters.pathPrefix ? '  AND substr(d.path, 1, length(:prefix)) = :prefix' : '',
    filters.tag ? '  AND EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = :tag)' : '',
    'ORDER BY chunks_fts.rank',
    'LIMIT :limit',
  ].filter(Boolean).join('\n');
}

function toHit(r: HitRow, score: number, snippet: SnippetOptions): SearchHit {
  return {
    chunkId: r.chunkId,
    root: r.root,
    path: r.path,
    title: r.title,
    startLine: r.startLine,
    endLine: r.endLine,
    heading: r.heading,
    score,
    // Chunks keep their line breaks; a snippet is read as one line.
    snippet: snippetFromHighlight(r.snippet, snippet).replace(/\s+/g, ' ').trim(),
  };
}

export function searchLexical(db: SqliteDatabase, query: string, opts: LexicalSearchOptions = {}): SearchHit[] {
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit ?? 20)));
  const all = toFtsQuery(query, { prefixLast: opts.prefixLast });
  if (all === null) return [];
  const prefix = opts.pathPrefix ? normalizePathPrefix(opts.pathPrefix) : '';
  const tag = opts.tag ? normalizeTag(opts.tag) : '';
  const sql = buildSql({ pathPrefix: prefix !== '', tag: tag !== '' });
  const snippet: SnippetOptions = { markers: opts.snippetMarkers ?? ['«', '»'], ellipsis: '…', tokens: Math.max(4, Math.min(64, opts.snippetTokens ?? 16)) };
  const params = (match: string, n: number): Record<string, string | number> => {
    const p: Record<string, string | number> = { ':match': match, ':limit': n };
    if (prefix) p[':prefix'] = prefix;
    if (tag) p[':tag'] = tag;
    return p;
  };
  // bm25() is lower-is-better; hits carry higher-is-better scores.
  const hits = db.all<HitRow & Record<string, string | number>>(sql, params(all, limit)).map((r) => toHit(r, -r.rank, snippet));
  // An explicit AND means "all of them": no partial matches then.
  if (hits.length >= limit || termCount(query) < 2 || /(^|\s)AND(\s|$)/.test(query)) return hits;
  const any = toFtsQuery(query, { prefixLast: opts.prefixLast, match: 'any' });
  if (any === null) return hits;
  const seen = new Set(hits.map((h) => h.chunkId));
  let floor = hits.length > 0 ? hits[hits.length - 1]!.score : Infinity;
  for (const r of db.all<HitRow & Record<string, string | number>>(sql, params(any, limit + hits.length))) {
    if (seen.has(r.chunkId)) continue;
    // Partial matches rank below every full match: keep scores in the order of the list.
    floor = Math.min(-r.rank, floor - 1e-6);
    hits.push(toHit(r, floor, snippet));
    if (hits.length >= limit) break;
  }
  return hits;
}
