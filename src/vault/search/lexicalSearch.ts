// Full-text search over the chunks: the one lexical ranking behind Search Vault, `search`, the
// chat's retrieval (lexical and the lexical half of hybrid) and ask-about-selection.
//
// 1. The query's terms (ftsQuery.ts); function and question words are left out ("how do I",
//    "什么", "どう"), unless nothing else is left. Explicit syntax keeps its meaning.
// 2. Chunks holding every term, ranked by FTS5 bm25 with column weights (title, which also holds
//    aliases and the file name, above headings and tags, above body).
// 3. When that finds fewer than asked for (a question rarely has all its words in one chunk),
//    chunks holding some of the terms follow, ranked by bm25 times a coverage factor: the share
//    of the query's terms the chunk holds. A chunk holding more of the question's words
//    ranks above one repeating a single word. Which terms a chunk holds is exact: every term is
//    ranked on its own (FTS5's bm25 of an OR query is the sum of its terms' bm25), so a chunk's
//    bm25 and coverage come from one statement.
// 4. People look for a note, then a place in it: at most NOTE_CAP chunks of one note come before
//    every other note has had its turn (the rest follow, in order).
// Snippets are built for the returned chunks only, from the index's copy of the text (words of
// unspaced scripts separated there, see segmenter.ts), with the separators taken out again.
import type { SqliteDatabase } from '../db/sqlite';
import type { SearchHit } from '../types';
import { contentTerms, joinTerms, parseQuery } from './ftsQuery';
import { stripSeparators } from './segmenter';

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
 * bm25 weights of the FTS columns (title, headings, body, tags): a word in a note's title (or
 * alias, or file name) or in the heading above the chunk says more about the chunk than the same
 * word in running text.
 */
export const COLUMN_WEIGHTS = { title: 8, headings: 4, body: 1, tags: 3 } as const;
const RANK = `bm25(${COLUMN_WEIGHTS.title}.0, ${COLUMN_WEIGHTS.headings}.0, ${COLUMN_WEIGHTS.body}.0, ${COLUMN_WEIGHTS.tags}.0)`;

/** Chunks of one note shown before every other note has had its turn. */
export const NOTE_CAP = 3;

interface Candidate {
  chunkId: number;
  docId: number;
  /** Higher is better. */
  score: number;
}

interface DetailRow {
  chunkId: number;
  root: string;
  path: string;
  title: string;
  startLine: number;
  endLine: number;
  heading: string;
  snippet: string;
  [k: string]: string | number;
}

export function normalizePathPrefix(prefix: string): string {
  return prefix.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

export function normalizeTag(tag: string): string {
  return tag.trim().replace(/^#+/, '').toLowerCase();
}

interface Filters {
  prefix: string;
  tag: string;
}

function filterSql(f: Filters): { join: string; where: string } {
  if (!f.prefix && !f.tag) return { join: '', where: '' };
  return {
    join: 'JOIN documents d ON d.id = c.doc_id',
    where: [
      f.prefix ? ' AND substr(d.path, 1, length(:prefix)) = :prefix' : '',
      f.tag ? ' AND EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = :tag)' : '',
    ].join(''),
  };
}

function filterParams(f: Filters): Record<string, string> {
  const p: Record<string, string> = {};
  if (f.prefix) p[':prefix'] = f.prefix;
  if (f.tag) p[':tag'] = f.tag;
  return p;
}

/** Chunks holding every term, best bm25 first. */
function allTerms(db: SqliteDatabase, match: string, n: number, f: Filters): Candidate[] {
  const { join, where } = filterSql(f);
  const sql = [
    'SELECT c.id AS chunkId, c.doc_id AS docId, chunks_fts.rank AS rank',
    'FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid',
    join,
    `WHERE chunks_fts MATCH :match AND chunks_fts.rank MATCH '${RANK}'${where}`,
    'ORDER BY chunks_fts.rank LIMIT :n',
  ].join('\n');
  // bm25() is lower-is-better; candidates carry higher-is-better scores.
  return db.all<{ chunkId: number; docId: number; rank: number }>(sql, { ':match': match, ':n': n, ...filterParams(f) }).map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank }));
}

/**
 * Chunks holding at least one term, ranked by bm25 times the share of the terms they hold (the
 * coordination factor of classic Lucene scoring): among partial matches a chunk holding more of
 * the question's words ranks higher. Each term is matched on its own, so which terms a
 * chunk holds is exact, and its bm25 is the sum of its terms' (as FTS5 computes an OR query's).
 * Measured against an idf-weighted share, a lexicographic order (more terms first, then bm25) and
 * note-level coverage: the plain share ranked best on every query set (npm run eval).
 */
function someTerms(db: SqliteDatabase, exprs: readonly string[], n: number, f: Filters): Candidate[] {
  const { join, where } = filterSql(f);
  const params: Record<string, string | number> = { ':n': n, ':k': exprs.length, ...filterParams(f) };
  const parts = exprs.map((e, i) => {
    params[`:t${i}`] = e;
    return `SELECT rowid AS id, rank AS r FROM chunks_fts WHERE chunks_fts MATCH :t${i} AND rank MATCH '${RANK}'`;
  });
  const sql = [
    `WITH hits(id, r) AS (${parts.join('\nUNION ALL ')}),`,
    'agg(id, bm, m) AS (SELECT id, sum(r), count(*) FROM hits GROUP BY id)',
    'SELECT agg.id AS chunkId, c.doc_id AS docId, agg.bm * agg.m / :k AS rank',
    'FROM agg JOIN chunks c ON c.id = agg.id',
    join,
    `WHERE 1${where}`,
    'ORDER BY rank LIMIT :n',
  ].join('\n');
  return db.all<{ chunkId: number; docId: number; rank: number }>(sql, params).map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank }));
}

/**
 * Keeps at most `cap` chunks per note in order; the rest follow once every note has had its
 * turn. Scores are kept non-increasing along the list.
 */
export function capPerNote<T extends { docId: number; score: number }>(items: readonly T[], cap: number): T[] {
  const seen = new Map<number, number>();
  const head: T[] = [];
  const tail: T[] = [];
  for (const it of items) {
    const k = (seen.get(it.docId) ?? 0) + 1;
    seen.set(it.docId, k);
    (k <= cap ? head : tail).push(it);
  }
  const out = head.concat(tail);
  let floor = Infinity;
  return out.map((it) => {
    const score = Math.min(it.score, floor);
    floor = score === it.score ? score : score - 1e-9;
    return score === it.score ? it : { ...it, score };
  });
}

/** Root, path, lines, heading and snippet of the chosen chunks, in their order. */
function details(db: SqliteDatabase, ids: readonly number[], match: string, opts: LexicalSearchOptions): Map<number, DetailRow> {
  const [open, close] = opts.snippetMarkers ?? ['«', '»'];
  const rows = db.all<DetailRow>(
    [
      'SELECT c.id AS chunkId, r.path AS root, d.path AS path, d.title AS title, c.start_line AS startLine, c.end_line AS endLine,',
      '  c.headings AS heading, snippet(chunks_fts, 2, :open, :close, :ellipsis, :tokens) AS snippet',
      'FROM chunks_fts',
      'JOIN chunks c ON c.id = chunks_fts.rowid',
      'JOIN documents d ON d.id = c.doc_id',
      'JOIN roots r ON r.id = d.root_id',
      'WHERE chunks_fts MATCH :match AND chunks_fts.rowid IN (SELECT value FROM json_each(:ids))',
    ].join('\n'),
    { ':match': match, ':ids': JSON.stringify(ids), ':open': open, ':close': close, ':ellipsis': '…', ':tokens': Math.max(4, Math.min(64, opts.snippetTokens ?? 16)) },
  );
  return new Map(rows.map((r) => [r.chunkId, r]));
}

export function searchLexical(db: SqliteDatabase, query: string, opts: LexicalSearchOptions = {}): SearchHit[] {
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit ?? 20)));
  const parsed = parseQuery(query, { prefixLast: opts.prefixLast });
  const terms = contentTerms(parsed);
  const all = joinTerms(terms, 'all');
  if (all === null) return [];
  const filters: Filters = { prefix: opts.pathPrefix ? normalizePathPrefix(opts.pathPrefix) : '', tag: opts.tag ? normalizeTag(opts.tag) : '' };
  // Candidates beyond the limit, so that capping each note's chunks still fills the list.
  const pool = Math.min(1000, limit * 2 + 10);
  let candidates = allTerms(db, all, pool, filters);
  // An explicit AND means "all of them": no partial matches then.
  // A word the query repeats counts each time, as in Lucene's and Elasticsearch's match queries
  // (query term frequency); measured against counting it once: better on the Chinese questions
  // (recall@10 0.674 -> 0.720), a little worse on the English ones (MRR 0.593 -> 0.577).
  const exprs = terms.map((t) => t.expr);
  const distinct = new Set(exprs).size;
  if (candidates.length < pool && distinct >= 2 && !parsed.explicitAnd) {
    const seen = new Set(candidates.map((c) => c.chunkId));
    // Partial matches rank below every full match: keep scores in the order of the list.
    let floor = candidates.length > 0 ? candidates[candidates.length - 1]!.score : Infinity;
    for (const c of someTerms(db, exprs, pool, filters)) {
      if (seen.has(c.chunkId)) continue;
      floor = Math.min(c.score, floor - 1e-6);
      candidates.push({ ...c, score: floor });
    }
  }
  candidates = capPerNote(candidates, NOTE_CAP).slice(0, limit);
  if (candidates.length === 0) return [];
  const rows = details(db, candidates.map((c) => c.chunkId), joinTerms(terms, 'any')!, opts);
  const hits: SearchHit[] = [];
  for (const c of candidates) {
    const r = rows.get(c.chunkId);
    if (!r) continue;
    hits.push({
      chunkId: r.chunkId,
      root: r.root,
      path: r.path,
      title: r.title,
      startLine: r.startLine,
      endLine: r.endLine,
      heading: r.heading,
      score: c.score,
      // Chunks keep their line breaks; a snippet is read as one line.
      snippet: stripSeparators(r.snippet).replace(/\s+/g, ' ').trim(),
    });
  }
  return hits;
}
