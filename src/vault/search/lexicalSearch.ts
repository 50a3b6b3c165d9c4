// Full-text search over the chunks: the one lexical ranking behind Search Vault, `search`, the
// chat's retrieval (lexical and the lexical half of hybrid) and ask-about-selection.
//
// 1. The query's terms (ftsQuery.ts); function and question words are left out ("how do I",
//    "什么", "どう"), unless nothing else is left. Explicit syntax keeps its meaning. A plain word
//    also matches the other words for the same thing that the vault uses more, and two
//    neighbouring words the word they make together where the vault writes it so (vaultVocabulary.ts).
// 2. Chunks holding every term, ranked by FTS5 bm25 with column weights (title, which also holds
//    aliases and the file name, above headings and tags, above body).
// 3. When that finds fewer than asked for (a question rarely has all its words in one chunk),
//    chunks holding some of the terms follow, ranked by bm25 times a coverage factor: the share
//    of the query's terms the chunk holds. A chunk holding more of the question's words
//    ranks above one repeating a single word, and a chunk whose note holds the question's other
//    words in other chunks above one whose note does not. Which terms a chunk holds is exact: every term is
//    ranked on its own (FTS5's bm25 of an OR query is the sum of its terms' bm25), so a chunk's
//    bm25 and coverage come from one statement.
// 4. People look for a note, then a place in it: at most NOTE_CAP chunks of one note come before
//    every other note has had its turn (the rest follow, in order).
// Snippets are built for the returned chunks only, from the index's copy of the text (words of
// unspaced scripts separated there, see segmenter.ts), with the separators taken out again.
import type { SqliteDatabase } from '../db/sqlite';
import type { SearchHit } from '../types';
import { contentTerms, distinctExprs, joinTerms, parseQuery, type QueryTerm } from './ftsQuery';
import { stripSeparators } from './segmenter';
import { snippetFromHighlight, snippetSourceSql, type SnippetOptions } from './snippet';
import { withVaultSpellings } from './spelling';
import { withVaultAcronyms, withVaultCompounds, withVaultSynonyms } from './vaultVocabulary';

export interface LexicalSearchOptions {
  /** Most hits to return (default 20, at most 500). */
  limit?: number;
  /** Only notes whose path (relative to their folder) starts with this. */
  pathPrefix?: string;
  /** Only notes with this tag (front matter or #tag; case-insensitive, '#' optional). */
  tag?: string;
  /** Only notes of these folders (absolute paths, as the vault's roots are stored); empty or absent: all. */
  roots?: readonly string[];
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
/**
 * bm25() called by the statement and sorted by SQLite, which keeps only the best LIMIT rows while
 * it scans, rather than FTS5's ORDER BY rank, which sorts every match: the same order, about 40%
 * less CPU for an OR query on the generated 50k-chunk vault.
 */
const BM25 = `bm25(chunks_fts, ${COLUMN_WEIGHTS.title}.0, ${COLUMN_WEIGHTS.headings}.0, ${COLUMN_WEIGHTS.body}.0, ${COLUMN_WEIGHTS.tags}.0)`;

/**
 * Among partial matches, the share of the query's words found in the note's title (its aliases
 * and file name included) raises a chunk's score by up to this factor: a chunk whose title holds
 * every matched word counts twice. Column weights alone cannot do it: FTS5's bm25 multiplies a
 * column's term frequency by its weight before saturating, so one title hit is worth at most a
 * few body hits, and a note named for the question's subject lost to one repeating a word.
 * Not applied to the two-word fill below (one OR query, no grouping), where it was not measured.
 */
export const TITLE_SHARE_BONUS = 1;
/**
 * Among partial matches, a query word that a chunk lacks but another chunk of its note holds
 * counts this much, against 1 for a word in the chunk itself: a chunk's score is multiplied by
 * 1 + NOTE_SHARE_WEIGHT x the share of the query's words found only elsewhere in its note (among
 * the partial matches read). A question's words are often spread over a note (the subject in
 * one section, the task in the next), and a note that holds more of them answers it better than
 * a passage elsewhere repeating one word. Counting only the words the chunk lacks, not the
 * note's other chunks' scores, keeps a long note from winning by its length (a sum of the
 * note's best chunks was measured: tldr-zh question recall@10 0.758 -> 0.735). Not applied to
 * the two-word fill below, where every partial match holds one word of two and no grouping is done.
 */
export const NOTE_SHARE_WEIGHT = 0.5;
/**
 * What a near match of a term (a character of a word the segmenter did not know, found at the
 * start of a longer indexed word) counts for among partial matches, against 1 for the term
 * itself: exact words keep ranking first.
 */
export const NEAR_WEIGHT = 0.5;

/** An expression matching chunks that hold a term's near matches but not the term itself. */
interface NearTerm {
  expr: string;
  times: number;
  weight: number;
}

/** Chunks of one note shown before every other note has had its turn. */
export const NOTE_CAP = 3;

interface Candidate {
  chunkId: number;
  docId: number;
  /** Higher is better. */
  score: number;
  /** Holds every term. */
  full?: boolean;
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
  /** JSON array of root paths, or '' for all roots. */
  roots: string;
}

function filtersOf(opts: Pick<LexicalSearchOptions, 'pathPrefix' | 'tag' | 'roots'>): Filters {
  return {
    prefix: opts.pathPrefix ? normalizePathPrefix(opts.pathPrefix) : '',
    tag: opts.tag ? normalizeTag(opts.tag) : '',
    roots: opts.roots && opts.roots.length > 0 ? JSON.stringify(opts.roots) : '',
  };
}

function filterSql(f: Filters): { join: string; where: string } {
  if (!f.prefix && !f.tag && !f.roots) return { join: '', where: '' };
  return {
    join: 'JOIN documents d ON d.id = c.doc_id',
    where: [
      f.prefix ? ' AND substr(d.path, 1, length(:prefix)) = :prefix' : '',
      f.tag ? ' AND EXISTS (SELECT 1 FROM json_each(d.tags) WHERE json_each.value = :tag)' : '',
      f.roots ? ' AND d.root_id IN (SELECT id FROM roots WHERE path IN (SELECT value FROM json_each(:roots)))' : '',
    ].join(''),
  };
}

function filterParams(f: Filters): Record<string, string> {
  const p: Record<string, string> = {};
  if (f.prefix) p[':prefix'] = f.prefix;
  if (f.tag) p[':tag'] = f.tag;
  if (f.roots) p[':roots'] = f.roots;
  return p;
}

function snippetOptions(opts: LexicalSearchOptions): SnippetOptions {
  return { markers: opts.snippetMarkers ?? ['«', '»'], ellipsis: '…', tokens: Math.max(4, Math.min(64, opts.snippetTokens ?? 16)) };
}

/**
 * The best n chunks matching an FTS5 expression by bm25, with their notes. Without filters the
 * chunks are joined after the LIMIT: joining every match first cost more than ranking them.
 */
function ranked(db: SqliteDatabase, match: string, n: number, f: Filters): { chunkId: number; docId: number; rank: number }[] {
  const { join, where } = filterSql(f);
  const sql = join
    ? `SELECT c.id AS chunkId, c.doc_id AS docId, ${BM25} AS rank FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid ${join} WHERE chunks_fts MATCH :match${where} ORDER BY rank LIMIT :n`
    : `SELECT t.id AS chunkId, c.doc_id AS docId, t.rank AS rank FROM (SELECT rowid AS id, ${BM25} AS rank FROM chunks_fts WHERE chunks_fts MATCH :match ORDER BY rank LIMIT :n) t JOIN chunks c ON c.id = t.id ORDER BY t.rank`;
  return db.all<{ chunkId: number; docId: number; rank: number }>(sql, { ':match': match, ':n': n, ...filterParams(f) });
}

/**
 * The best n chunks holding a or b, by the bm25 of "a OR b". When half the vault holds one of
 * them (see commonTerms), a chunk holding only that one scores about zero, and one holding the
 * other scores what it scores alone: the other's matches are ranked alone, unless they are too
 * few to fill the list.
 */
function eitherTerm(db: SqliteDatabase, a: string, b: string, n: number, f: Filters): { chunkId: number; docId: number; rank: number }[] {
  const [commonA, commonB] = commonTerms(db, [a, b]);
  if (commonA !== commonB) {
    const rows = ranked(db, commonA ? b : a, n, f);
    if (rows.length >= n) return rows;
  }
  return ranked(db, `${a} OR ${b}`, n, f);
}

/** Chunks holding every term, best bm25 first. */
function allTerms(db: SqliteDatabase, match: string, n: number, f: Filters): Candidate[] {
  // bm25() is lower-is-better; candidates carry higher-is-better scores.
  return ranked(db, match, n, f).map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank, full: true }));
}

/**
 * The best n chunks holding every term, at most NOTE_CAP of each note (the notes' best), by
 * bm25. Ranks every match with its note (dearer than allTerms), so it runs only when a few notes
 * crowd the best matches out.
 */
function allTermsCapped(db: SqliteDatabase, match: string, n: number, f: Filters): Candidate[] {
  const { join, where } = filterSql(f);
  const sql = [
    'WITH m AS MATERIALIZED (',
    `  SELECT c.id AS chunkId, c.doc_id AS docId, ${BM25} AS rank FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid ${join} WHERE chunks_fts MATCH :match${where})`,
    'SELECT chunkId, docId, rank FROM (SELECT chunkId, docId, rank, row_number() OVER (PARTITION BY docId ORDER BY rank) AS nth FROM m)',
    'WHERE nth <= :cap ORDER BY rank LIMIT :n',
  ].join('\n');
  return db.all<{ chunkId: number; docId: number; rank: number }>(sql, { ':match': match, ':n': n, ':cap': NOTE_CAP, ...filterParams(f) })
    .map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank, full: true }));
}

/**
 * Chunks holding at least one term, ranked by bm25 times the share of the terms they hold (the
 * coordination factor of classic Lucene scoring): among partial matches a chunk holding more of
 * the question's words ranks higher. Each term is matched on its own, so which terms a
 * chunk holds is exact, and its bm25 is the sum of its terms' (as FTS5 computes an OR query's).
 * Measured against an idf-weighted share, a lexicographic order (more terms first, then bm25) and
 * note-level coverage: the plain share ranked best on every query set (npm run eval). A chunk
 * whose note's title holds the words ranks higher still (TITLE_SHARE_BONUS).
 */
function someTerms(db: SqliteDatabase, exprs: readonly { expr: string; times: number }[], n: number, f: Filters, near: readonly NearTerm[] = []): Candidate[] {
  const common = commonTerms(db, exprs.map((e) => e.expr));
  if (common.some(Boolean) && !common.every(Boolean)) {
    // Chunks holding only terms half the vault holds score about zero and come last: when the
    // other terms fill the list, they are never reached, and those terms' matches are only
    // looked up among the other terms' chunks (for the share), not scored.
    const rows = someTermsRows(db, exprs, n, f, near, common);
    if (rows.length >= n) return rows;
  }
  return someTermsRows(db, exprs, n, f, near, exprs.map(() => false));
}

/** someTerms, with the `common` terms counted (not scored) in the chunks holding another term only. */
function someTermsRows(db: SqliteDatabase, exprs: readonly { expr: string; times: number }[], n: number, f: Filters, near: readonly NearTerm[], common: readonly boolean[]): Candidate[] {
  const { join, where } = filterSql(f);
  const k = exprs.reduce((sum, e) => sum + e.times, 0);
  const params: Record<string, string | number> = { ':n': n, ':k': k, ...filterParams(f) };
  // One pass per distinct term; a term the query repeats counts that many times (in bm25 and in
  // the share), without reading its matches again. A near match counts as its term at a lower
  // weight (in bm25, the share and the title share alike).
  const terms = [...exprs.map((e, i) => ({ expr: e.expr, w: e.times, common: common[i]!, near: false })), ...near.map((e) => ({ expr: e.expr, w: e.times * e.weight, common: false, near: true }))];
  const scored: string[] = [];
  const counted: string[] = [];
  terms.forEach((e, i) => {
    params[`:t${i}`] = e.expr;
    // A near match excludes its word anywhere in the chunk ("x"* NOT "xy"), which a column filter
    // would read as in the title only: the chunk must match the expression itself too.
    params[`:c${i}`] = e.near ? `(${e.expr}) AND {title} : (${e.expr})` : `{title} : (${e.expr})`;
    // The title share comes from a second pass over the term's matches in the title column
    // alone (w 0, so it adds no coverage): a second bm25 per match (of the title column) cost a
    // third more. A common term's matches are only looked up among the other terms' chunks, with
    // no bm25 (it would read every match of the term again for its idf); the + makes SQLite walk
    // the term's matches once instead of seeking each id.
    const among = e.common ? ' AND +rowid IN (SELECT id FROM scored)' : '';
    (e.common ? counted : scored).push(
      `SELECT rowid AS id, ${i} AS t, ${e.w} AS w, ${e.common ? '0' : `${e.w} * ${BM25}`} AS r, 0 AS tw FROM chunks_fts WHERE chunks_fts MATCH :t${i}${among}`,
      `SELECT rowid AS id, ${i} AS t, 0 AS w, 0 AS r, ${e.w} AS tw FROM chunks_fts WHERE chunks_fts MATCH :c${i}${among}`,
    );
  });
  // Without filters, only the best n groups are joined to their chunks (joining every group first
  // cost more than the grouping itself).
  const sql = [
    counted.length > 0
      ? `WITH scored(id, t, w, r, tw) AS MATERIALIZED (${scored.join('\nUNION ALL ')}),\nhits(id, t, w, r, tw) AS (SELECT * FROM scored UNION ALL ${counted.join('\nUNION ALL ')}),`
      : `WITH hits(id, t, w, r, tw) AS (${scored.join('\nUNION ALL ')}),`,
    // score = bm25 x coverage x (1 + bonus x title share); * 1.0 keeps the shares out of integer division.
    `agg(id, rank, terms) AS (SELECT id, sum(r) * sum(w) * 1.0 / :k * (1 + ${TITLE_SHARE_BONUS} * sum(tw) * 1.0 / :k), group_concat(t) FROM hits GROUP BY id),`,
    join
      ? `best(id, rank, terms) AS (SELECT agg.id, agg.rank, agg.terms FROM agg JOIN chunks c ON c.id = agg.id ${join} WHERE 1${where} ORDER BY 2 LIMIT :n)`
      : 'best(id, rank, terms) AS (SELECT id, rank, terms FROM agg ORDER BY 2 LIMIT :n)',
    'SELECT best.id AS chunkId, c.doc_id AS docId, best.rank AS rank, best.terms AS terms FROM best JOIN chunks c ON c.id = best.id ORDER BY best.rank',
  ].join('\n');
  const rows = db.all<{ chunkId: number; docId: number; rank: number; terms: string }>(sql, params);
  return withNoteShare(rows.map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank, terms: r.terms.split(',').map(Number) })), terms.map((t) => t.w), k);
}

/**
 * One phrase (or a prefix): bm25 gives an expression an idf per phrase, so an OR group ("files"
 * OR "folder", a word's other forms) is common only where each of its phrases is; those are
 * left as they are.
 */
const ONE_PHRASE = /^"(?:[^"]|"")*"\*?$/;

/**
 * Vaults of fewer chunks do not look for common terms. Counting a term's matches costs about a
 * third of a millisecond however rare it is, so a ten-word question pays a few milliseconds to
 * look; bm25 scores a match in about 2 µs, so below this size even a word every chunk holds
 * costs under 40 ms to score, and most questions hold no such word.
 */
const COMMON_TERMS_MIN_CHUNKS = 20_000;

/**
 * For each FTS expression, whether at least half of the chunks match it. FTS5's bm25 gives such a
 * term an idf of 1e-6 (log((N - n + 0.5) / (n + 0.5)) is not above zero), so it adds nothing to a
 * chunk's score, while scoring its matches reads most of the vault: a word in most notes of a
 * 50k-chunk vault made a query with it take over 100 ms.
 */
function commonTerms(db: SqliteDatabase, exprs: readonly string[]): boolean[] {
  const none = exprs.map(() => false);
  if (!exprs.some((e) => ONE_PHRASE.test(e))) return none;
  const half = Math.ceil((db.get<{ n: number }>('SELECT count(*) AS n FROM chunks')?.n ?? 0) / 2);
  if (half < COMMON_TERMS_MIN_CHUNKS / 2) return none;
  return exprs.map((expr) => ONE_PHRASE.test(expr) && (db.get<{ n: number }>('SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH :t', { ':t': expr })?.n ?? 0) >= half);
}

/**
 * Multiplies each partial match's score by 1 + NOTE_SHARE_WEIGHT x the share of the query's
 * words (by weight, of `total`) that its note's other chunks among `rows` hold and it lacks, and
 * orders them again.
 */
function withNoteShare(rows: readonly { chunkId: number; docId: number; score: number; terms: readonly number[] }[], weights: readonly number[], total: number): Candidate[] {
  const noteTerms = new Map<number, Set<number>>();
  for (const r of rows) {
    const s = noteTerms.get(r.docId) ?? new Set<number>();
    for (const t of r.terms) s.add(t);
    noteTerms.set(r.docId, s);
  }
  return rows
    .map((r) => {
      const own = new Set(r.terms);
      let elsewhere = 0;
      for (const t of noteTerms.get(r.docId)!) if (!own.has(t)) elsewhere += weights[t] ?? 0;
      return { chunkId: r.chunkId, docId: r.docId, score: r.score * (1 + (NOTE_SHARE_WEIGHT * elsewhere) / total) };
    })
    .sort((a, b) => b.score - a.score);
}

/** The near matches of the terms that have them, once each, counted as often as the term comes. */
function nearTerms(terms: readonly QueryTerm[]): NearTerm[] {
  const byExpr = new Map<string, NearTerm>();
  for (const t of terms) {
    if (!t.prefixExpr) continue;
    const key = t.expr.toLowerCase();
    const e = byExpr.get(key);
    if (e) e.times++;
    else byExpr.set(key, { expr: `${t.prefixExpr} NOT ${t.expr}`, times: 1, weight: NEAR_WEIGHT });
  }
  return [...byExpr.values()];
}

/** For each item, whether it is among the first `cap` of its note in the list. */
function withinNoteCap(items: readonly { docId: number }[], cap: number): boolean[] {
  const seen = new Map<number, number>();
  return items.map((it) => {
    const k = (seen.get(it.docId) ?? 0) + 1;
    seen.set(it.docId, k);
    return k <= cap;
  });
}

/**
 * Keeps at most `cap` chunks per note in order; the rest follow once every note has had its
 * turn. Scores are kept non-increasing along the list.
 */
export function capPerNote<T extends { docId: number; score: number }>(items: readonly T[], cap: number): T[] {
  const within = withinNoteCap(items, cap);
  const out = items.filter((_, i) => within[i]).concat(items.filter((_, i) => !within[i]));
  let floor = Infinity;
  return out.map((it) => {
    const score = Math.min(it.score, floor);
    floor = score === it.score ? score : score - 1e-9;
    return score === it.score ? it : { ...it, score };
  });
}

/**
 * Root, path, lines, heading and the highlighted text of the chosen chunks (the snippet window is
 * picked by snippet.ts). highlight() reads the index's copy of the text, with the words of
 * unspaced scripts separated, so its marks fall on the words that matched.
 */
function details(db: SqliteDatabase, ids: readonly number[], match: string): Map<number, DetailRow> {
  if (ids.length === 0) return new Map();
  const rows = db.all<DetailRow>(
    [
      'SELECT c.id AS chunkId, r.path AS root, d.path AS path, d.title AS title, c.start_line AS startLine, c.end_line AS endLine,',
      `  c.headings AS heading, ${snippetSourceSql('c.body', 'chunks_fts', 2)} AS snippet`,
      'FROM chunks_fts',
      'JOIN chunks c ON c.id = chunks_fts.rowid',
      'JOIN documents d ON d.id = c.doc_id',
      'JOIN roots r ON r.id = d.root_id',
      // One pass over the matches (the + keeps SQLite from seeking each id): a seek parses the
      // expression and expands prefix terms again each time, which cost more than the pass.
      'WHERE chunks_fts MATCH :match AND +chunks_fts.rowid IN (SELECT value FROM json_each(:ids))',
    ].join('\n'),
    { ':match': match, ':ids': JSON.stringify(ids) },
  );
  return new Map(rows.map((r) => [r.chunkId, r]));
}

export function searchLexical(db: SqliteDatabase, query: string, opts: LexicalSearchOptions = {}): SearchHit[] {
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit ?? 20)));
  const parsed = parseQuery(query, { prefixLast: opts.prefixLast });
  const terms = withVaultSpellings(db, withVaultSynonyms(db, contentTerms({ ...parsed, terms: withVaultAcronyms(db, withVaultCompounds(db, parsed.terms)) })));
  const all = joinTerms(terms, 'all');
  if (all === null) return [];
  const filters = filtersOf(opts);
  // Candidates beyond the limit, so that capping each note's chunks still fills the list.
  const pool = Math.min(1000, limit * 2 + 10);
  let candidates = allTerms(db, all, pool, filters);
  const everyFullMatch = candidates.length < pool;
  if (!everyFullMatch && withinNoteCap(candidates, NOTE_CAP).filter(Boolean).length < limit) {
    // A few notes hold more full matches than were read (a long note, or a pasted log cut into
    // hundreds of chunks): read the best NOTE_CAP of every note instead, so that the other notes
    // holding every word get their turn. The rest of the crowded notes' chunks follow them.
    const head = allTermsCapped(db, all, limit, filters);
    const inHead = new Set(head.map((h) => h.chunkId));
    candidates = head.concat(candidates.filter((c) => !inHead.has(c.chunkId)));
  }
  // A word the query repeats counts each time, as in Lucene's and Elasticsearch's match queries
  // (query term frequency); measured against counting it once: better on the Chinese questions
  // (recall@10 0.674 -> 0.720), a little worse on the English ones (MRR 0.593 -> 0.577).
  const exprs = distinctExprs(terms);
  // Characters of a word the segmenter did not know also match the longer words the notes hold
  // that start with them ("截屏" -> 截|屏 finds 屏幕), as partial matches only, below the word itself.
  const near = nearTerms(terms);
  // Partial matches fill the list when the full matches (at most NOTE_CAP per note) do not, unless
  // there are more full matches than were read (they fill it then, crowded notes' chunks last);
  // an explicit AND means "all of them": no partial matches then.
  if (everyFullMatch && withinNoteCap(candidates, NOTE_CAP).filter(Boolean).length < limit && exprs.length >= 2 && !parsed.explicitAnd) {
    const seen = new Set(candidates.map((c) => c.chunkId));
    // Partial matches rank below every full match: keep scores in the order of the list.
    let floor = candidates.length > 0 ? candidates[candidates.length - 1]!.score : Infinity;
    // Two different words, each once, every full match known: a partial match holds exactly one
    // of them, so the coverage factor is the same (1/2) for all and bm25 alone orders them: one
    // OR query, no grouping (the commonest multi-word case).
    const partial = exprs.length === 2 && exprs.every((e) => e.times === 1) && near.length === 0
      ? eitherTerm(db, exprs[0]!.expr, exprs[1]!.expr, pool + candidates.length, filters).map((r) => ({ chunkId: r.chunkId, docId: r.docId, score: -r.rank / 2 }))
      : someTerms(db, exprs, pool, filters, near);
    for (const c of partial) {
      if (seen.has(c.chunkId)) continue;
      floor = Math.min(c.score, floor - 1e-6);
      candidates.push({ ...c, score: floor });
    }
  }
  candidates = capPerNote(candidates, NOTE_CAP).slice(0, limit);
  // Snippets from one pass over the matches: of all terms when every chunk holds them all (an
  // intersection, cheap to walk), else of any term.
  const rows = details(db, candidates.map((c) => c.chunkId), candidates.every((c) => c.full) ? all : joinTerms(terms.map((t) => (t.prefixExpr ? { ...t, expr: t.prefixExpr } : t)), 'any')!);
  const so = snippetOptions(opts);
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
      snippet: stripSeparators(snippetFromHighlight(r.snippet, so)).replace(/\s+/g, ' ').trim(),
    });
  }
  return hits;
}
