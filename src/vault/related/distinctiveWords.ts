// A note's most distinctive words ("more like this", as Lucene's MoreLikeThis picks them): its
// words weighed by how often the note uses them and how rare they are in the rest of the vault
// (tf-idf), read from the text the full-text index holds (words of unspaced scripts already
// separated there, see search/segmenter.ts).
//
// Counting how many chunks hold a word costs a walk of its list in the index, so only the note's
// most frequent words are counted, each walk stopped at a cap: a word in more chunks than that
// says little about what the note is about, and its idf is low whatever the exact figure.
import type { SqliteDatabase } from '../db/sqlite';
import { foldCase, isStopword } from '../search/stopwords';

/** Characters the index's tokenizer keeps in tokens (unicode61 with categories 'L* N* Co M*'). */
const TOKENS = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
/** A token that is only digits (years, counts, line numbers) says little about a topic. */
const DIGITS = /^\p{N}+$/u;
/** Latin, Greek or Cyrillic: one or two letters are not a word worth searching for. */
const SHORT_ALPHABETIC = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]{1,2}$/u;

/** Words of the note whose chunk counts are read (the most frequent ones). */
export const CANDIDATE_WORDS = 32;
/** Words searched for. */
export const QUERY_WORDS = 10;

export interface DistinctiveWord {
  word: string;
  /** Weighted occurrences in the note (a word of the title or a heading counts more). */
  tf: number;
  /** Chunks of other notes holding it (at most the cap). */
  df: number;
  weight: number;
}

interface ChunkText {
  id: number;
  title: string;
  headings: string;
  body: string;
}

function tokens(text: string): string[] {
  const out: string[] = [];
  for (const t of text.match(TOKENS) ?? []) {
    const w = foldCase(t);
    if (DIGITS.test(w) || SHORT_ALPHABETIC.test(w) || isStopword(w)) continue;
    out.push(w);
  }
  return out;
}

/** Weighted term frequencies of a note: the title and each distinct heading once, with weight; the text per occurrence. */
export function noteTermFrequencies(chunks: readonly ChunkText[]): Map<string, number> {
  const tf = new Map<string, number>();
  const add = (text: string, w: number): void => {
    for (const t of tokens(text)) tf.set(t, (tf.get(t) ?? 0) + w);
  };
  if (chunks[0]) add(chunks[0].title, 3);
  const headings = new Set<string>();
  for (const c of chunks) {
    // A heading path repeats its outer headings: count each heading once.
    for (const h of c.headings.split(' > ')) headings.add(h);
    add(c.body, 1);
  }
  for (const h of headings) add(h, 2);
  return tf;
}

/**
 * The note's most distinctive words, best first. `docId`'s own chunks do not count towards a
 * word's rarity, and a word no other chunk holds is left out (it cannot find another note).
 */
export function distinctiveWords(db: SqliteDatabase, docId: number, opts: { max?: number; candidates?: number } = {}): DistinctiveWord[] {
  const chunks = db.all<{ id: number; title: string; headings: string; body: string }>(
    'SELECT id, coalesce(fts_title, title) AS title, coalesce(fts_headings, headings) AS headings, coalesce(fts_body, body) AS body FROM chunks WHERE doc_id = ? ORDER BY ord',
    [docId],
  );
  if (chunks.length === 0) return [];
  const tf = noteTermFrequencies(chunks);
  // Most frequent first; longer words first among equals (they tend to be rarer), then by text.
  const candidates = [...tf.entries()]
    .sort((a, b) => b[1] - a[1] || b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1))
    .slice(0, opts.candidates ?? CANDIDATE_WORDS);
  if (candidates.length === 0) return [];
  const total = Number(db.get<{ n: number }>('SELECT count(*) AS n FROM chunks')?.n ?? 0);
  const others = Math.max(1, total - chunks.length);
  // A word in more than 0.5% of the other chunks (at least 50) is common: it is left out. It would
  // say little about the note, and every chunk holding it would be ranked by the search.
  const cap = Math.max(50, Math.ceil(others * 0.005));
  const own = JSON.stringify(chunks.map((c) => c.id));
  const exprs = JSON.stringify(candidates.map(([w]) => `"${w.replace(/"/g, '""')}"`));
  const counts = db.all<{ i: number; df: number }>(
    `SELECT w.key AS i, (SELECT count(*) FROM (SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH w.value LIMIT :lim) m
       WHERE m.id NOT IN (SELECT value FROM json_each(:own))) AS df
     FROM json_each(:exprs) w`,
    { ':exprs': exprs, ':own': own, ':lim': cap + chunks.length },
  );
  const words: DistinctiveWord[] = [];
  for (const r of counts) {
    const [word, f] = candidates[Number(r.i)]!;
    const df = Number(r.df);
    if (df === 0 || df >= cap) continue;
    // BM25's idf and a dampened tf: a word used twice as often is not twice as telling.
    const idf = Math.log(1 + (others - df + 0.5) / (df + 0.5));
    words.push({ word, tf: f, df, weight: (1 + Math.log(f)) * idf });
  }
  words.sort((a, b) => b.weight - a.weight || (a.word < b.word ? -1 : 1));
  return words.slice(0, opts.max ?? QUERY_WORDS);
}
