// Which other words for the same thing (synonyms.ts) a query's words also match in this vault,
// and which neighbouring words also match as one word (time zone / timezone): those the vault
// uses more than the user's own, so that its vocabulary decides.
import type { SqliteDatabase } from '../db/sqlite';
import { quote, wordPhrase, type QueryTerm } from './ftsQuery';

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

/** A complete plain word of a script written with spaces (a quoted word, phrase, prefix or OR group is explicit syntax). */
const PLAIN_WORD = /^[\p{Script=Latin}\p{N}]+$/u;
const isPlainWord = (t: QueryTerm): boolean => t.plain === 'complete' && PLAIN_WORD.test(t.text) && t.expr === quote(t.text);

/** The function words that end a word written together: log in / login, plug in / plugin, log on / logon. */
const JOINING_PARTICLES = new Set(['in', 'on']);

/**
 * Two neighbouring words of the query also match the word they make written together, when the
 * vault writes it together in more chunks than it writes the two apart: "time zone" finds
 * timezone, "log in" finds login, in a vault that says so, and nothing changes in one that writes
 * them apart. The joined word counts for each of the two words that is not a function word ("in"
 * and "on" only, as the second word). (The
 * same without asking the vault lowered the held-out English keyword recall@5 0.930 -> 0.910: a
 * rare joined word, "logfile", outranked both words; splits of long words found nothing more.)
 * Counted over the whole vault, for at most MAX_SYNONYM_WORDS pairs; `terms` are all the query's
 * terms, function words included ("in" of "log in").
 */
export function withVaultCompounds(db: SqliteDatabase, terms: readonly QueryTerm[]): QueryTerm[] {
  const pairs: { at: number; joined: string; apart: string; both: boolean }[] = [];
  for (let i = 0; i + 1 < terms.length && pairs.length < MAX_SYNONYM_WORDS; i++) {
    const a = terms[i]!;
    const b = terms[i + 1]!;
    if (a.stop || !isPlainWord(a) || !isPlainWord(b) || (b.stop && !JOINING_PARTICLES.has(b.text.toLowerCase()))) continue;
    pairs.push({ at: i, joined: quote(`${a.text}${b.text}`.toLowerCase()), apart: quote(`${a.text} ${b.text}`), both: !b.stop });
  }
  // Most joined forms are no word of the vault: one lookup of them all settles most queries.
  if (pairs.length === 0 || chunksHolding(db, pairs.map((p) => p.joined).join(' OR '), 1) === 0) return [...terms];
  const joinedAt = new Map<number, string>();
  for (const p of pairs) {
    const together = chunksHolding(db, p.joined, SYNONYM_COUNT_CAP);
    // The phrase reads both words' positions: counted only as far as the joined form's count.
    if (together === 0 || chunksHolding(db, p.apart, together) >= together) continue;
    joinedAt.set(p.at, p.joined);
    if (p.both) joinedAt.set(p.at + 1, p.joined);
  }
  return terms.map((t, i) => {
    const joined = joinedAt.get(i);
    return joined ? { ...t, expr: `(${t.expr} OR ${joined})` } : t;
  });
}

/** Words an acronym is made of, at least and at most: two initials are too often a word of their own (pr, tz). */
const ACRONYM_WORDS = [3, 5] as const;

/**
 * Neighbouring words of the query also match the acronym of their initials where the vault
 * itself defines it: a chunk holds the acronym beside the words written out ("Cross-Origin
 * Resource Sharing (CORS)"). Then "cross origin resource sharing" finds the notes that only say
 * CORS, and "json web token" those that say JWT. Runs of 3-5 plain words, the longest defined run
 * first; the acronym counts for each word of the run. Initials that merely happen to be a word of
 * the vault ("ors", "cor") are not defined beside the words, so they change nothing.
 */
export function withVaultAcronyms(db: SqliteDatabase, terms: readonly QueryTerm[]): QueryTerm[] {
  const runs: { at: number; n: number; acronym: string; phrase: string }[] = [];
  for (let n = ACRONYM_WORDS[1]; n >= ACRONYM_WORDS[0]; n--) {
    for (let i = 0; i + n <= terms.length && runs.length < MAX_SYNONYM_WORDS; i++) {
      const run = terms.slice(i, i + n);
      if (!run.every((t) => !t.stop && isPlainWord(t))) continue;
      runs.push({ at: i, n, acronym: quote(run.map((t) => t.text[0]!).join('').toLowerCase()), phrase: quote(run.map((t) => t.text).join(' ')) });
    }
  }
  // Most runs' initials are no word of the vault: one lookup of them all settles most queries.
  if (runs.length === 0 || chunksHolding(db, runs.map((r) => r.acronym).join(' OR '), 1) === 0) return [...terms];
  const acronymAt = new Map<number, string>();
  for (const r of runs) {
    if (Array.from({ length: r.n }, (_, k) => r.at + k).some((i) => acronymAt.has(i))) continue;
    if (chunksHolding(db, `${r.acronym} AND ${r.phrase}`, 1) === 0) continue;
    for (let k = 0; k < r.n; k++) acronymAt.set(r.at + k, r.acronym);
  }
  return terms.map((t, i) => {
    const acronym = acronymAt.get(i);
    return acronym ? { ...t, expr: `(${t.expr} OR ${acronym})` } : t;
  });
}
