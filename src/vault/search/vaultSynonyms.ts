// Which other words for the same thing (synonyms.ts) a query's words also match in this vault:
// those the vault uses more than the user's word, so that its own vocabulary decides.
import type { SqliteDatabase } from '../db/sqlite';
import { wordPhrase, type QueryTerm } from './ftsQuery';

/**
 * Chunks a word is counted in up to this many: a vault using a word that often has made it its
 * own, and counting further would cost a read of its whole posting list on every query.
 */
export const SYNONYM_COUNT_CAP = 1000;

/**
 * Words of one query looked up at most: a question has a few; pasted text may have 32 listed
 * words, whose counts and wider expressions would double the query's time (85 against 44 ms on
 * the English tldr pages, measured under load).
 */
export const MAX_SYNONYM_WORDS = 8;

/** How many chunks hold `expr` (an FTS5 expression), counted up to `cap`. */
function chunksHolding(db: SqliteDatabase, expr: string, cap: number): number {
  return db.get<{ n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH :expr LIMIT :cap)', { ':expr': expr, ':cap': cap })?.n ?? 0;
}

/**
 * A plain word also matches, as the same term, the other words for the same thing (synonyms.ts)
 * that the vault uses in more chunks than the word itself: "folder" finds "directory" in notes
 * that say directory, while a vault that says folder is searched for folder alone. Letting the
 * vault's vocabulary choose keeps a common word from drowning the user's own ("big" in a book
 * that says "large" for something else). Counted over the whole vault, whatever the filters.
 */
export function withVaultSynonyms(db: SqliteDatabase, terms: readonly QueryTerm[]): QueryTerm[] {
  // A word the query repeats is counted once.
  const counted = new Map<string, QueryTerm>();
  return terms.map((t) => {
    if (!t.synonyms) return t;
    const key = t.expr.toLowerCase();
    const seen = counted.get(key);
    if (seen) return { ...t, expr: seen.expr };
    if (counted.size >= MAX_SYNONYM_WORDS) return t;
    const own = chunksHolding(db, t.expr, SYNONYM_COUNT_CAP);
    // Only whether another word is used more is asked: count it up to one past the word's own.
    const more = t.synonyms.map(wordPhrase).filter((expr) => own < SYNONYM_COUNT_CAP && chunksHolding(db, expr, own + 1) > own);
    const out = more.length === 0 ? t : { ...t, expr: `(${[t.expr, ...more].join(' OR ')})` };
    counted.set(key, out);
    return out;
  });
}
