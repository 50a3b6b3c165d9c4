// Words typed with a slip ("pasword", "recieve", "enviroment"): a plain word the vault does not
// hold at all also matches the vault's nearest word, one or two letters away. Only the vault's
// own words are candidates and only an absent word is corrected, so every query whose words
// are in the vault is searched exactly as typed.
import { stemmer } from 'stemmer';
import type { SqliteDatabase } from '../db/sqlite';
import { quote, type QueryTerm } from './ftsQuery';
import { isEnglishWord } from './englishWords';
import { foldCase } from './stopwords';

/** Letters of a word below which no slip is assumed: short words have too many neighbours ("form" / "from"). */
export const MIN_CORRECTED_LENGTH = 5;
/** From this length a word may be two slips away (as Lucene's and Elasticsearch's AUTO fuzziness allow). */
export const TWO_EDITS_LENGTH = 9;
/**
 * Absent words of one query corrected at most: each may read the vault's words sharing its first
 * two letters (3-15 ms on the 16k words of the English tldr pages), and pasted text may hold many
 * words the vault never uses.
 */
export const MAX_CORRECTED_WORDS = 3;

/** The edits a word of this many letters may be away from the word meant. */
export function allowedEdits(length: number): number {
  return length >= TWO_EDITS_LENGTH ? 2 : length >= MIN_CORRECTED_LENGTH ? 1 : 0;
}

/** A swap of two neighbouring letters ("chnage"), the commonest slip, costs less than another edit. */
export const SWAP_COST = 0.75;
/** A letter doubled or left single ("writting", "adress"), the commonest misspelling, costs half an edit. */
export const DOUBLING_COST = 0.5;

/**
 * The slip costs of turning a word into `typed`, one row per letter of the word (row j: the
 * word's first j letters against every start of `typed`), so that words sharing a start (a stem
 * and its endings) share their rows: insertions, deletions and substitutions cost 1, a swap of
 * neighbouring letters SWAP_COST, a doubled letter typed single or a single one doubled
 * DOUBLING_COST (the optimal string alignment distance, weighted as typists err).
 */
class SlipTable {
  /** Row j of the current word; rows are reused from word to word (no allocation per word). */
  private readonly rows: Float64Array[] = [];
  private readonly rowMin: number[] = [0];
  private word = '';
  /** The first row from which no cell can come back within `max`: every longer word is too far. */
  private deadFrom = Infinity;

  constructor(
    private readonly typed: string,
    private readonly max: number,
  ) {
    const first = new Float64Array(typed.length + 1);
    for (let i = 1; i <= typed.length; i++) first[i] = first[i - 1]! + (i > 1 && typed[i - 1] === typed[i - 2] ? DOUBLING_COST : 1);
    this.rows.push(first);
  }

  /** Makes the table's word `word`, keeping the rows of the start it shares with the last one. */
  setWord(word: string): void {
    let keep = 0;
    while (keep < word.length && keep < this.word.length && word[keep] === this.word[keep]) keep++;
    this.word = word;
    if (this.deadFrom <= keep) return;
    this.deadFrom = Infinity;
    const a = this.typed;
    for (let j = keep + 1; j <= word.length; j++) {
      const prev = this.rows[j - 1]!;
      const prev2 = j > 1 ? this.rows[j - 2] : undefined;
      const missed = j > 1 && word[j - 1] === word[j - 2] ? DOUBLING_COST : 1;
      const row = (this.rows[j] ??= new Float64Array(a.length + 1));
      row[0] = prev[0]! + missed;
      let min = row[0]!;
      for (let i = 1; i <= a.length; i++) {
        const extra = i > 1 && a[i - 1] === a[i - 2] ? DOUBLING_COST : 1;
        let d = Math.min(row[i - 1]! + extra, prev[i]! + missed, prev[i - 1]! + (a[i - 1] === word[j - 1] ? 0 : 1));
        if (prev2 && i > 1 && a[i - 1] === word[j - 2] && a[i - 2] === word[j - 1] && a[i - 1] !== a[i - 2]) d = Math.min(d, prev2[i - 2]! + SWAP_COST);
        row[i] = d;
        if (d < min) min = d;
      }
      this.rowMin[j] = min;
      // A later row's cells come from this row or, by a swap, the one before it.
      if (min > this.max && this.rowMin[j - 1]! + SWAP_COST > this.max) {
        this.deadFrom = j;
        return;
      }
    }
  }

  get typedLength(): number {
    return this.typed.length;
  }

  /** The cost of the whole word against the whole typed word (Infinity beyond `max`). */
  get cost(): number {
    if (this.deadFrom <= this.word.length) return Infinity;
    const c = this.rows[this.word.length]![this.typed.length]!;
    return c <= this.max ? c : Infinity;
  }

  /** The least cost of the word against any start of the typed word: a bound for every word the word starts. */
  get startCost(): number {
    return this.deadFrom <= this.word.length ? Infinity : this.rowMin[this.word.length]!;
  }
}

/** The slip cost of turning `word` into `typed` (see SlipTable), or Infinity beyond `max`. */
export function slipCost(typed: string, word: string, max: number): number {
  const t = new SlipTable(typed, max);
  t.setWord(word);
  return t.cost;
}

const VOCAB_TABLE = 'temp.chunks_fts_words';

/** Two-letter word lists kept per connection; more are read again (a bound on memory, not a tuning). */
const MAX_CACHED_PREFIXES = 256;

/**
 * What one connection has read of the index's word list, valid while the index is unchanged:
 * FTS5 rewrites its structure record (rowid 10 of chunks_fts_data) on every change to the
 * index, from any connection, so comparing it is a one-row check. Search-as-you-type asks for the
 * same few prefixes again and again.
 */
interface WordListCache {
  structure: Uint8Array | null;
  byPrefix: Map<string, { term: string; doc: number }[]>;
  nearest: Map<string, string | null>;
}
const caches = new WeakMap<SqliteDatabase, WordListCache>();

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null || a.length !== b.length) return a === b;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The connection's cache, emptied when the index changed. The word list is the index's own
 * (FTS5's fts5vocab over chunks_fts), created once per connection in the temporary schema: it
 * stores nothing, reads the index, and needs no write to the vault.
 */
function wordListCache(db: SqliteDatabase): WordListCache {
  const row = db.get<{ block: Uint8Array }>('SELECT block FROM chunks_fts_data WHERE id = 10');
  const structure = row?.block ?? null;
  let cache = caches.get(db);
  if (!cache) {
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${VOCAB_TABLE} USING fts5vocab(main, chunks_fts, row)`);
    cache = { structure, byPrefix: new Map(), nearest: new Map() };
    caches.set(db, cache);
  } else if (!sameBytes(cache.structure, structure)) {
    cache.structure = structure;
    cache.byPrefix.clear();
    cache.nearest.clear();
  }
  return cache;
}

function wordsStartingWith(db: SqliteDatabase, cache: WordListCache, prefix: string): { term: string; doc: number }[] {
  let rows = cache.byPrefix.get(prefix);
  if (!rows) {
    rows = db.all<{ term: string; doc: number }>(`SELECT term, doc FROM ${VOCAB_TABLE} WHERE term >= :lo AND term < :hi`, { ':lo': prefix, ':hi': `${prefix}\u{10FFFF}` });
    if (cache.byPrefix.size >= MAX_CACHED_PREFIXES) cache.byPrefix.clear();
    cache.byPrefix.set(prefix, rows);
  }
  return rows;
}

/** Only words of letters are corrected: numbers, versions and identifiers with digits are meant exactly. */
const LETTERS = /^\p{Script=Latin}+$/u;

/**
 * The word to search for in place of `word` (a word the vault lacks): a word of the vault within
 * the allowed slip cost (nearestAmong), or undefined when there is none or `word` is an English
 * word. Only the index's words sharing its first two letters are read: slips there are the
 * rarest, and reading every word would cost a scan of the whole word list. Remembered per
 * connection until the index changes.
 */
export function nearestVaultWord(db: SqliteDatabase, word: string): string | undefined {
  const max = allowedEdits(word.length);
  if (max === 0 || !LETTERS.test(word)) return undefined;
  const typed = foldCase(word.toLowerCase());
  const cache = wordListCache(db);
  const known = cache.nearest.get(typed);
  if (known !== undefined) return known ?? undefined;
  const found = isEnglishWord(typed) ? undefined : nearestAmong(wordsStartingWith(db, cache, typed.slice(0, 2)), typed, max);
  if (cache.nearest.size >= MAX_CACHED_PREFIXES) cache.nearest.clear();
  cache.nearest.set(typed, found ?? null);
  return found;
}

/**
 * Endings the porter stemmer cuts off, to compare a typed word with the words an index stem
 * stands for ("chang" stands for change, changes, changed, changing): most slips are in a word,
 * not in its stem.
 */
const ENDINGS = ['', 'e', 's', 'es', 'ed', 'ing', 'ings', 'er', 'ers', 'ion', 'ions', 'ation', 'ations', 'ment', 'ments', 'ize', 'ise', 'ate', 'al', 'ly', 'ity', 'ness', 'able'];

const LONGEST_ENDING = Math.max(...ENDINGS.map((e) => e.length));

/** What a stem's words start with, undoing porter's changes: write -> writ(ing), directori -> directory, mutabl -> mutabil(ity). */
function bases(term: string): string[] {
  const out = [term];
  if (term.endsWith('e')) out.push(term.slice(0, -1));
  if (term.endsWith('i')) out.push(`${term.slice(0, -1)}y`, `${term.slice(0, -1)}ie`);
  if (term.endsWith('bl')) out.push(`${term.slice(0, -2)}bil`, `${term}e`);
  return out;
}

/**
 * The word, among the English words the index stem `term` stands for, nearest to `typed`, and
 * its cost; undefined beyond `max`. The stem itself counts as a word where the stemmer leaves
 * it as it is (names and identifiers of the vault: ffmpeg). The word is one the stemmer turns
 * into `term`, so quoting it matches the stem exactly (porter's stems are not all fixed points:
 * the stem "recover", of "recoverable", is matched by quoting "recoverable", while "recover"
 * itself would be cut to "recov").
 */
function nearestWordOf(table: SlipTable, term: string, max: number): { word: string; cost: number } | undefined {
  let best: { word: string; cost: number } | undefined;
  for (const base of bases(term)) {
    table.setWord(base);
    // Every word of this base starts with it: none is near when the base is far from every start of the typed word.
    if (table.startCost > max) continue;
    for (const ending of ENDINGS) {
      // Each letter more or fewer costs at least half an edit.
      if (Math.abs(base.length + ending.length - table.typedLength) * DOUBLING_COST > max) continue;
      const word = base + ending;
      table.setWord(word);
      const cost = table.cost;
      if (cost > max || (best && cost >= best.cost) || stemmer(word) !== term) continue;
      if (word === term || isEnglishWord(word)) best = { word, cost };
    }
  }
  return best;
}

/**
 * The word to search for in place of `typed`, among `rows` (the index's words sharing its first
 * two letters): the least slip cost from a word an index stem stands for (an English word, or
 * the stem itself: "publising" -> publishing, not "publicing"); failing that, from the typed
 * word's stem to an index stem, for a slip whose stem is odd ("compres" -> "compr", near only
 * compare's stem: compress comes first, as a word); on equal cost, the word more chunks hold
 * ("chnage": change before chage, both one slip away).
 */
function nearestAmong(rows: readonly { term: string; doc: number }[], typed: string, max: number): string | undefined {
  const stem = stemmer(typed);
  // A short stem has too many neighbours ("eat" / "ead"): it is compared only when as long as a corrected word.
  const stemMax = stem.length >= MIN_CORRECTED_LENGTH ? max : 0;
  const table = new SlipTable(typed, max);
  const stemTable = new SlipTable(stem, stemMax);
  let best: { word: string; doc: number; cost: number; viaStem: boolean } | undefined;
  for (const r of rows) {
    // A stem is at most `max` letters longer than the typed word, and shorter by at most its longest ending and `max`.
    if (r.term === stem || r.term === typed || r.term.length > typed.length + max || r.term.length < typed.length - max - LONGEST_ENDING || !LETTERS.test(r.term)) continue;
    // Every word a stem stands for starts with all of it but its last two letters (bases()):
    // when that start is far from every start of the typed word, none of them is near. The rows
    // come sorted, so this start shares most of its table rows with the last one.
    table.setWord(r.term.slice(0, Math.max(2, r.term.length - 2)));
    const hopeless = table.startCost > max;
    const asWord = hopeless ? undefined : nearestWordOf(table, r.term, max);
    let found: { word: string; cost: number; viaStem: boolean } | undefined = asWord && { ...asWord, viaStem: false };
    if ((!found || found.cost > 1) && stemMax > 0) {
      stemTable.setWord(r.term);
      const cost = stemTable.cost;
      // Quoting the stem itself matches it only where the stemmer leaves it as it is.
      if (cost <= stemMax && cost < (found?.cost ?? Infinity) && stemmer(r.term) === r.term) found = { word: r.term, cost, viaStem: true };
    }
    if (!found) continue;
    const better =
      !best ||
      found.cost < best.cost ||
      (found.cost === best.cost && (found.viaStem !== best.viaStem ? !found.viaStem : r.doc !== best.doc ? r.doc > best.doc : found.word < best.word));
    if (better) best = { word: found.word, doc: r.doc, cost: found.cost, viaStem: found.viaStem };
  }
  return best?.word;
}

/**
 * Whether `typed` is a slip of `word` (a word of a note, lower case), as search would correct
 * it: a word of letters of at least MIN_CORRECTED_LENGTH that is no English word, within its
 * allowed slip cost of the word, or of its stem ("enviroment" / environments).
 */
export function isSlipOf(typed: string, word: string): boolean {
  const t = foldCase(typed.toLowerCase());
  const max = allowedEdits(t.length);
  // The word list first: most words a text lacks are English words, and they cost no comparison.
  if (max === 0 || t === word || !LETTERS.test(t) || !LETTERS.test(word) || isEnglishWord(t)) return false;
  return slipCost(t, word, max) !== Infinity || slipCost(stemmer(t), stemmer(word), max) !== Infinity;
}

/** Whether any chunk holds `expr`. */
function holds(db: SqliteDatabase, expr: string): boolean {
  return db.get<{ n: number }>('SELECT 1 AS n FROM chunks_fts WHERE chunks_fts MATCH :expr LIMIT 1', { ':expr': expr }) !== undefined;
}

/**
 * A plain word that no chunk holds also matches, as the same term, the vault's nearest word
 * (nearestVaultWord): "pasword" finds password; so does a word being typed when no word of the
 * vault starts with it. A quoted word, a prefix, an OR group and function words are left as they
 * are; at most MAX_CORRECTED_WORDS words of a query are corrected.
 */
export function withVaultSpellings(db: SqliteDatabase, terms: readonly QueryTerm[]): QueryTerm[] {
  // Typed word -> the vault's word: a word the query repeats is looked up once.
  const corrections = new Map<string, string>();
  let tried = 0;
  return terms.map((t) => {
    // A word being typed is a prefix group (typing "pasword" in Search Vault): corrected only when nothing starts with it either.
    if (!t.plain || t.stop || (t.plain === 'complete' && t.expr !== quote(t.text)) || t.text.length < MIN_CORRECTED_LENGTH || !LETTERS.test(t.text)) return t;
    const key = t.text.toLowerCase();
    const known = corrections.get(key);
    if (known) return { ...t, expr: quote(known) };
    if (tried >= MAX_CORRECTED_WORDS || holds(db, t.expr)) return t;
    tried++;
    const near = nearestVaultWord(db, t.text);
    if (!near) return t;
    corrections.set(key, near);
    // The word as typed matches nothing: the vault's word alone (one phrase, as bm25 sees it).
    return { ...t, expr: quote(near) };
  });
}
