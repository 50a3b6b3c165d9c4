// User text -> the terms of a full-text query, each an FTS5 expression that can never be a
// syntax error.
//
// FTS5 gives meaning to quotes, parentheses, AND/OR/NOT/NEAR, '-', '+', '*', ':', '^' and more;
// people type all of them ("C++", "-draft", "what's new?", "a:b"). Every term is therefore emitted
// as a quoted FTS5 string (inner quotes doubled), which FTS5 treats as plain text for its
// tokenizer. What the user may still express:
//   "exact phrase"   a phrase (an unclosed quote just starts ordinary words);
//   word*            a prefix;
//   (prefixLast)     the last word, once it has 3 letters, also as a prefix (search as you type);
//   a OR b           either word (OR in capitals, as in web search engines);
//   AND              every word required, no partial matches (all words are tried first anyway).
// Any other punctuation is text: "-draft" is the word "draft". Terms without any letter or digit
// (e.g. "--", "()", "&") cannot produce a token and are dropped.
//
// Plain words are also judged: a function word or question word of its language ("how", "the",
// "什么", "どう") is marked `stop`, so that ranking can leave it out. Words of scripts written
// without spaces are split into the words the index holds (see segmenter.ts), a Korean word
// also matches its stem as a prefix (see korean.ts), and a word with other words for the same
// thing carries them (synonyms.ts), for lexical search to weigh against the vault's vocabulary.
import { hangulStem, isHangulWord } from './korean';
import { segmentQueryWord } from './segmenter';
import { foldCase, isStopword } from './stopwords';
import { hasSynonyms, synonymsOf } from './synonyms';

export interface FtsQueryOptions {
  /** Match the last word as a prefix too (search as you type). Not applied after a trailing space. */
  prefixLast?: boolean;
  /** 'all' (default): every term required. 'any': at least one term. */
  match?: 'all' | 'any';
}

/** One unit of a query: a word, a phrase, a prefix or an OR group. */
export interface QueryTerm {
  /** The FTS5 expression that matches it. */
  expr: string;
  /** The text it came from (for messages and tests). */
  text: string;
  /** A plain function word or question word (never set for explicit syntax). */
  stop: boolean;
  /** Its words, lower case without diacritics (a phrase's words, an OR group's alternatives). */
  words: string[];
  /**
   * A lone Han character of a word the segmenter did not know: the FTS5 expression of the
   * indexed words starting with it (see unknownWordChars). Used among partial matches only.
   */
  prefixExpr?: string;
  /**
   * Other words for what a plain word names (synonyms.ts). Lexical search also matches those the
   * vault uses more than the word itself, as the same term.
   */
  synonyms?: readonly string[];
  /**
   * A word typed plainly: no quotes, prefix or OR. 'complete', or 'typing' for the word still
   * being typed (matched as a prefix too). Search may also match the vault's word it is a slip
   * of, when the vault has neither the word nor, while typing, any word starting with it
   * (spelling.ts).
   */
  plain?: 'complete' | 'typing';
}

export interface ParsedQuery {
  /** Every term, in order (at most MAX_TERMS). */
  terms: QueryTerm[];
  /** The user wrote AND: every term is required, no partial matches. */
  explicitAnd: boolean;
}

interface Token {
  text: string;
  phrase: boolean;
  prefix: boolean;
}

/** Characters the unicode61 tokenizer keeps in tokens: letters, numbers, marks, private use. */
const TOKEN_CHAR = /[\p{L}\p{N}\p{M}\p{Co}]/u;
const TOKENS = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;
/** Keeps the expression small enough to stay fast whatever is pasted into the box. */
export const MAX_TERMS = 32;

/** Text as an FTS5 string: plain text for the tokenizer, never syntax. */
export const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;

function wordsOf(text: string): string[] {
  return (text.match(TOKENS) ?? []).map(foldCase);
}

/** A plain word is a stopword when every token in it is one ("what's" -> what, s). */
function isStopText(text: string): boolean {
  const tokens = text.match(TOKENS);
  return tokens !== null && tokens.every(isStopword);
}

/** A phrase as the index holds it: words of unspaced scripts separated, so that they form a phrase. */
function phraseText(text: string): string {
  return text.split(/\s+/).flatMap(segmentQueryWord).join(' ');
}

/** Splits user text into tokens and OR markers. */
function lex(text: string): { tokens: (Token | 'OR')[]; explicitAnd: boolean } {
  // Control characters (NUL included) are never meaningful in a query.
  const s = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  const tokens: (Token | 'OR')[] = [];
  let explicitAnd = false;
  const pushWord = (w: string): void => {
    if (w === 'OR') return void tokens.push('OR');
    if (w === 'AND') return void (explicitAnd = true);
    const prefix = w.length > 1 && w.endsWith('*');
    const body = w.replace(/\*+$/, '');
    if (TOKEN_CHAR.test(body)) tokens.push({ text: body, phrase: false, prefix });
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const end = s.indexOf('"', i + 1);
      if (end !== -1) {
        const inner = s.slice(i + 1, end).trim();
        if (TOKEN_CHAR.test(inner)) tokens.push({ text: inner, phrase: true, prefix: false });
        i = end + 1;
        continue;
      }
      i++; // an unclosed quote: the rest is ordinary words
      continue;
    }
    let j = i;
    while (j < s.length && !/\s/.test(s[j]!) && s[j] !== '"') j++;
    pushWord(s.slice(i, j));
    i = j;
  }
  return { tokens, explicitAnd };
}

/** The expression of one plain word (already segmented), as a prefix too when `typing`. */
function wordExpr(text: string, typing: boolean): string {
  if (isHangulWord(text)) {
    // Particles and endings are glued to Korean words: match the stem as a prefix too.
    const stem = hangulStem(text);
    if ([...stem].length >= 2) return `(${quote(text)} OR ${quote(stem)}*)`;
    return quote(text);
  }
  // One or two letters would match (and rank) a large part of the vault on every keystroke.
  if (typing && [...text].length >= 3) {
    // The index holds porter stems ("borrowing" -> "borrow"), which a half-typed word may have
    // already run past ("borrowi"): match the word itself (stemmed), anything it starts, and the
    // word less its last letter or two, as words (stemmed too). Not as prefixes: "pro"* for
    // "propo" matched program and process, and merging the many words a short prefix starts
    // made every keystroke cost tens of milliseconds on a large vault.
    const alts = [quote(text), `${quote(text)}*`];
    const chars = [...text];
    if (/^[\p{L}\p{N}]+$/u.test(text)) {
      for (const cut of [1, 2]) if (chars.length - cut >= 3) alts.push(quote(chars.slice(0, chars.length - cut).join('')));
    }
    return `(${alts.join(' OR ')})`;
  }
  return quote(text);
}

function tokenExpr(t: Token): string {
  if (t.phrase) return quote(phraseText(t.text));
  return `${quote(phraseText(t.text))}*`;
}

const HAN_CHAR = /^\p{Script=Han}$/u;

/**
 * Which pieces of a segmented word are characters of a word ICU's dictionary does not know:
 * ICU cuts such a word into single characters, so two or more lone Han characters in a row
 * ("安卓截屏" -> 安|卓|截|屏) mark one, while the notes hold the same characters inside the
 * longer words their sentences were cut into (屏幕). A Han character carries meaning on its own;
 * a lone kana or Thai letter is a syllable (often a particle or an ending), so only Han counts.
 */
export function unknownWordChars(pieces: readonly string[]): boolean[] {
  // A function word ("的", "上", "把") is a word the dictionary knew.
  const lone = pieces.map((p) => HAN_CHAR.test(p) && !isStopWordTerm(p));
  return lone.map((l, i) => l && (lone[i - 1] === true || lone[i + 1] === true));
}

function isStopWordTerm(text: string): boolean {
  if (isHangulWord(text)) return isStopword(text) || isStopword(hangulStem(text));
  return isStopText(text);
}

/** Most pieces a listed word is cut into (解压缩 -> 解|压缩, 屏幕截图 -> 屏幕|截|图). */
const MAX_LISTED_PIECES = 3;

/** How many pieces from `at` on (2 or more) join into a word that has synonyms, longest first; 0 for none. */
function listedRun(pieces: readonly string[], at: number): number {
  for (let n = Math.min(MAX_LISTED_PIECES, pieces.length - at); n >= 2; n--) {
    if (hasSynonyms(pieces.slice(at, at + n).join(''))) return n;
  }
  return 0;
}

/** The other words for a query word; a Korean word is looked up without its particle (폴더를 -> 폴더). */
function synonymsOfWord(word: string): readonly string[] {
  const direct = synonymsOf(word);
  return direct.length > 0 || !isHangulWord(word) ? direct : synonymsOf(hangulStem(word));
}

/**
 * A word as an FTS5 expression: its pieces as a phrase where the index holds it cut (计算机 ->
 * "计算 机"); a Korean word as a prefix too, as notes glue particles to it (디렉터리를).
 */
export function wordPhrase(word: string): string {
  return isHangulWord(word) ? `${quote(word)}*` : quote(phraseText(word));
}

/** Parses user text into query terms. Never throws; an empty list means nothing searchable. */
export function parseQuery(userText: string, opts: Pick<FtsQueryOptions, 'prefixLast'> = {}): ParsedQuery {
  const text = typeof userText === 'string' ? userText : '';
  const { tokens, explicitAnd } = lex(text);
  // Group `a OR b c` -> [[a, b], [c]].
  const groups: Token[][] = [];
  let joinNext = false;
  for (const t of tokens) {
    if (t === 'OR') {
      joinNext = groups.length > 0;
      continue;
    }
    if (joinNext) groups[groups.length - 1]!.push(t);
    else groups.push([t]);
    joinNext = false;
  }
  const typing = Boolean(opts.prefixLast) && !/\s$/.test(text);
  const terms: QueryTerm[] = [];
  groups.forEach((g, gi) => {
    const lastGroup = gi === groups.length - 1;
    if (g.length === 1 && !g[0]!.phrase && !g[0]!.prefix) {
      // A plain word: split into the words the index holds.
      const pieces = segmentQueryWord(g[0]!.text);
      const unknown = unknownWordChars(pieces);
      for (let pi = 0; pi < pieces.length; ) {
        const asTyped = typing && lastGroup && pi === pieces.length - 1;
        // A listed word the segmenter cuts in pieces (文件夹 -> 文件|夹) is one term, matched as
        // the phrase of its pieces, with its other words (a word being typed is left as it is).
        const run = typing && lastGroup ? 0 : listedRun(pieces, pi);
        if (run > 0) {
          const parts = pieces.slice(pi, pi + run);
          const text = parts.join('');
          terms.push({ expr: quote(parts.join(' ')), text, stop: false, words: wordsOf(text), synonyms: synonymsOf(text) });
          pi += run;
          continue;
        }
        const p = pieces[pi]!;
        const term: QueryTerm = { expr: wordExpr(p, asTyped), text: p, stop: isStopWordTerm(p), words: wordsOf(p) };
        if (unknown[pi] && !term.stop) term.prefixExpr = `${quote(p)}*`;
        // A word still being typed is matched as a prefix instead.
        const synonyms = term.stop || asTyped ? [] : synonymsOfWord(p);
        if (synonyms.length > 0) term.synonyms = synonyms;
        term.plain = asTyped ? 'typing' : 'complete';
        terms.push(term);
        pi++;
      }
      return;
    }
    // Explicit syntax keeps its exact meaning: a phrase, a prefix, or an OR group of alternatives.
    const exprs = g.map((t, ti) => (t.phrase || t.prefix ? tokenExpr(t) : wordExpr(phraseText(t.text), typing && lastGroup && ti === g.length - 1)));
    const unique = [...new Set(exprs)];
    const words = g.flatMap((t) => phraseText(t.text).split(' ').flatMap(wordsOf));
    terms.push({ expr: unique.length === 1 ? unique[0]! : `(${unique.join(' OR ')})`, text: g.map((t) => t.text).join(' OR '), stop: false, words });
  });
  return { terms: terms.slice(0, MAX_TERMS), explicitAnd };
}

/**
 * The terms ranking should use: the query without its function and question words, or every
 * term when nothing else is left ("what is it" still searches for something).
 */
export function contentTerms(q: ParsedQuery): QueryTerm[] {
  const content = q.terms.filter((t) => !t.stop);
  return content.length > 0 ? content : q.terms;
}

/**
 * Each expression once: a term repeated (in any case, which the tokenizer folds) matches nothing
 * more, but FTS5 would read its positions once per repeat, and a pasted "a a a …" would cost up
 * to MAX_TERMS times the dearest word. Returns each distinct expression with how often it came.
 */
export function distinctExprs(terms: readonly QueryTerm[]): { expr: string; times: number }[] {
  const seen = new Map<string, { expr: string; times: number }>();
  for (const t of terms) {
    const key = t.expr.toLowerCase();
    const e = seen.get(key);
    if (e) e.times++;
    else seen.set(key, { expr: t.expr, times: 1 });
  }
  return [...seen.values()];
}

/** An FTS5 expression requiring all (or any) of the terms; null when there are none. */
export function joinTerms(terms: readonly QueryTerm[], match: 'all' | 'any' = 'all'): string | null {
  const exprs = distinctExprs(terms).map((e) => e.expr);
  if (exprs.length === 0) return null;
  return exprs.join(match === 'any' ? ' OR ' : ' AND ');
}

/** Returns the MATCH expression of every term, or null when the text holds nothing searchable. */
export function toFtsQuery(userText: string, opts: FtsQueryOptions = {}): string | null {
  return joinTerms(parseQuery(userText, opts).terms, opts.match ?? 'all');
}
