// How big a piece of note text is for chunking: its length, and an estimate of the tokens an
// embedding model makes of it. Every chunk must fit both limits, so that search work per chunk
// is bounded (FTS5's highlighting grows faster than linearly with a value's matches) and an
// embedding model reads each chunk whole.

/**
 * The most tokens (estimated below) a chunk may hold.
 *
 * The embedding models of the default manifest (src/engine/models/defaultManifest.json) read
 * 512 tokens (bge-small-en-v1.5, the recommended one) and 2048 (nomic-embed-text-v1.5); a chunk
 * must fit the smaller whole. The engine adds 2 special tokens ([CLS] and [SEP]) and embeds the
 * chunk behind its title and heading path, which `embeddingPrefix` cuts to
 * EMBEDDING_PREFIX_TOKENS: 512 - 2 - 62 = 448. Chinese or Japanese text is about one token per
 * character to these tokenizers, so a CJK chunk holds at most ~448 characters; English prose
 * (about 1.3 tokens per word) reaches the character limit (1500) first.
 */
export const DEFAULT_MAX_CHUNK_TOKENS = 448;
/** Tokens left for "title > headings" in front of the chunk in the text an embedding model reads. */
export const EMBEDDING_PREFIX_TOKENS = 62;

/** Letters of a word written with spaces that one token is counted for (WordPiece keeps most words whole, splits long or rare ones). */
const WORD_PIECE = 6;

const SPACE = 0;
const WORD = 1;
const ALONE = 2;

/** Classes of the ASCII characters: letters and digits are words, whitespace is nothing, the rest one token each. */
const ASCII = new Uint8Array(128).map((_, c) => {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return WORD;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return SPACE;
  return ALONE;
});

function isSpace(cp: number): boolean {
  return cp === 0x85 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}

/**
 * One token per character: scripts written without spaces between words (Chinese, Japanese,
 * Korean, Thai, Lao, Khmer, Myanmar, Yi), full-width forms and pictographs (emoji).
 */
export function isDenseCodePoint(cp: number): boolean {
  return (
    (cp >= 0x0e00 && cp <= 0x0eff) ||
    (cp >= 0x1000 && cp <= 0x109f) ||
    (cp >= 0x1100 && cp <= 0x11ff) ||
    (cp >= 0x1780 && cp <= 0x17ff) ||
    (cp >= 0x2e80 && cp <= 0x2fdf) ||
    (cp >= 0x3000 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xa960 && cp <= 0xa97f) ||
    (cp >= 0xac00 && cp <= 0xd7ff) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef) ||
    (cp >= 0x1b000 && cp <= 0x1b16f) ||
    (cp >= 0x1f000 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3ffff)
  );
}

function charClass(cp: number): number {
  if (cp < 0x80) return ASCII[cp]!;
  if (isSpace(cp)) return SPACE;
  if (isDenseCodePoint(cp)) return ALONE;
  // Latin-1 punctuation and signs, general punctuation, arrows, maths, box drawing, symbols.
  if ((cp >= 0xa1 && cp <= 0xbf) || (cp >= 0x2010 && cp <= 0x2bff) || (cp >= 0x2e00 && cp <= 0x2e7f)) return ALONE;
  // Letters, digits and marks of other scripts (accented Latin, Greek, Cyrillic, Arabic, Indic...).
  return WORD;
}

/** Code point at `i` and its length in UTF-16 units (a lone surrogate counts as itself). */
function codePointAt(text: string, i: number): [number, number] {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
    return [(c - 0xd800) * 0x400 + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000, 2];
  }
  return [c, 1];
}

/**
 * Counts estimated tokens while walking text forward; `add` returns the tokens a code point adds.
 * Never more tokens than UTF-16 units, so text no longer than a token limit always fits it.
 */
class TokenCounter {
  private run = 0;

  add(cp: number): number {
    const k = charClass(cp);
    if (k === WORD) return this.run++ % WORD_PIECE === 0 ? 1 : 0;
    this.run = 0;
    return k === ALONE ? 1 : 0;
  }
}

/** Estimated embedding-model tokens of `text` (see DEFAULT_MAX_CHUNK_TOKENS): TokenCounter's rule, unrolled. */
export function estimateTokens(text: string): number {
  let n = 0;
  let run = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    let k: number;
    if (c < 0x80) k = ASCII[c]!;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len && isLowSurrogate(text.charCodeAt(i + 1))) {
      k = charClass((c - 0xd800) * 0x400 + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000);
      i++;
    } else k = charClass(c);
    if (k === WORD) {
      if (run === 0) n++;
      run = run === WORD_PIECE - 1 ? 0 : run + 1;
    } else {
      run = 0;
      if (k === ALONE) n++;
    }
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

export interface SizeLimits {
  maxChars: number;
  maxTokens: number;
}

/** Grapheme clusters: user-perceived characters, which a cut never splits (ICU, as in editors). */
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PUNCTUATION = /[\p{P}\p{S}]/u;

/**
 * Cuts one line that is over the limits into pieces that fit, concatenating back to the line.
 * Each piece is as long as the limits allow, then shortened (by at most half) to end after
 * whitespace, else after punctuation, else at a grapheme cluster boundary — so neither a
 * surrogate pair nor a base character and its combining marks are ever cut apart. Only a single
 * cluster longer than the limits themselves (hundreds of stacked marks) is cut between its code points.
 * Returns the offsets where the pieces end (the last one is `line.length`).
 */
export function splitLongLine(line: string, limits: SizeLimits): number[] {
  const ends: number[] = [];
  let start = 0;
  while (start < line.length) {
    // The longest piece from `start` within both limits (at least one code point).
    const counter = new TokenCounter();
    let end = start;
    let tokens = 0;
    while (end < line.length) {
      const [cp, w] = codePointAt(line, end);
      const t = counter.add(cp);
      if (end > start && (end + w - start > limits.maxChars || tokens + t > limits.maxTokens)) break;
      tokens += t;
      end += w;
    }
    if (end < line.length) end = bestCut(line, start, end, boundariesFrom(line, start, end));
    ends.push(end);
    start = end;
  }
  return ends;
}

/** Look-ahead past a piece's end, so that the cluster running across it is seen whole unless it is absurdly long. */
const CLUSTER_LOOKAHEAD = 64;

/**
 * Whether offsets of line[start, max] are grapheme cluster boundaries. Segmenting starts at
 * `start`, itself a boundary, so a boundary found before the window's end is one the whole line
 * has. The window keeps each test short: ICU's `containing()` costs time linear in the text it
 * was given, and iterating every segment allocates an object per character.
 */
function boundariesFrom(line: string, start: number, max: number): (i: number) => boolean {
  const segments = graphemes.segment(line.slice(start, max + CLUSTER_LOOKAHEAD));
  return (i) => i >= line.length || i === start || (i > start && i <= max && segments.containing(i - start)!.index === i - start);
}

/** Where to end a piece that may run from `start` to `max` at most (see splitLongLine). */
function bestCut(line: string, start: number, max: number, isBoundary: (i: number) => boolean): number {
  const floor = start + Math.max(1, Math.floor((max - start) / 2));
  for (let i = max - 1; i >= floor; i--) {
    const c = line.charCodeAt(i);
    if ((c < 0x80 ? ASCII[c] === SPACE : isSpace(c)) && isBoundary(i + 1)) return i + 1;
  }
  for (let i = max - 1; i >= floor; i--) {
    const c = line.charCodeAt(i);
    const punctuation = c < 0x80 ? ASCII[c] === ALONE : (c < 0xd800 || c > 0xdfff) && PUNCTUATION.test(line[i]!);
    if (punctuation && isBoundary(i + 1)) return i + 1;
  }
  for (let i = max; i > start; i--) if (isBoundary(i)) return i;
  return max;
}

/**
 * `text` cut to at most `maxChars` UTF-16 units and `maxTokens` estimated tokens, at a grapheme
 * boundary, with '…' when something was cut. For names shown and indexed with every chunk
 * (titles, headings), whatever the note holds.
 */
export function truncateText(text: string, maxChars: number, maxTokens = maxChars): string {
  if (text.length <= maxChars && text.length <= maxTokens) return text;
  if (text.length <= maxChars && estimateTokens(text) <= maxTokens) return text;
  const counter = new TokenCounter();
  let tokens = 1; // the ellipsis
  let end = 0;
  for (const { segment, index } of graphemes.segment(text.slice(0, maxChars + CLUSTER_LOOKAHEAD))) {
    let t = 0;
    for (let i = 0; i < segment.length; ) {
      const [cp, w] = codePointAt(segment, i);
      t += counter.add(cp);
      i += w;
    }
    if (index + segment.length > maxChars - 1 || tokens + t > maxTokens) break;
    tokens += t;
    end = index + segment.length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}
