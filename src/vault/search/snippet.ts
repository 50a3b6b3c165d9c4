// Snippets: FTS5's highlight() of a chunk, with the window picked here.
//
// FTS5's snippet() scores every match in the value against every other match (its time grows
// with the square of the matches: 20 ms for one 900-character chunk of one-letter words, 84 ms
// for 1500 characters, minutes for a 2 MB line), and it runs for every row returned. highlight()
// marks the matches in one pass over the value, and the best window is then found here in one
// pass: a chunk is at most a few thousand characters (textSize.ts), so a snippet costs at most a
// few milliseconds whatever the note holds. A value longer than MAX_HIGHLIGHT_CHARS (a vault
// chunked before chunks had a size limit, until it is indexed again) is shown from its start,
// unmarked, rather than highlighted at a cost that grows with its length.
import { isDenseCodePoint } from '../markdown/textSize';

/** Markers highlight() puts around matches: control characters, which notes do not hold. */
const OPEN = '\u0002';
const CLOSE = '\u0003';
/** Larger than any chunk the chunker makes (1500 characters at most by default). */
export const MAX_HIGHLIGHT_CHARS = 8192;
/** At most this many characters however long the words in the window are. */
const MAX_SNIPPET_CHARS = 400;

/** The SQL expression for the text a snippet is made from: the highlighted body of the chunk (`body`, an SQL column). */
export function snippetSourceSql(body: string, ftsTable: string, bodyColumn: number): string {
  return `CASE WHEN length(${body}) <= ${MAX_HIGHLIGHT_CHARS} THEN highlight(${ftsTable}, ${bodyColumn}, char(2), char(3)) ELSE substr(${body}, 1, ${MAX_SNIPPET_CHARS}) END`;
}

export interface SnippetOptions {
  markers: readonly [string, string];
  ellipsis: string;
  /** Words (or characters of scripts written without spaces) in the window. */
  tokens: number;
}

interface Unit {
  start: number;
  end: number;
  /** Lower-cased text of a marked unit (distinct matches score more than repeats); null when unmarked. */
  key: string | null;
}

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** Turns highlight() output into a snippet of about `tokens` words around the best cluster of matches. */
export function snippetFromHighlight(source: string, opts: SnippetOptions): string {
  const { text, marks } = unmark(source);
  const units = unitsOf(text, marks);
  const n = Math.max(1, opts.tokens);
  let first = 0;
  if (units.length > n) first = bestWindow(units, n);
  const last = Math.min(units.length, first + n);
  let from = first === 0 ? 0 : units[first]!.start;
  let to = last >= units.length ? text.length : units[last - 1]!.end;
  if (to - from > MAX_SNIPPET_CHARS) {
    // Long words: keep the characters around the first match in the window.
    const mark = marks.find(([a, b]) => b > from && a < to);
    const centre = mark ? Math.max(from, mark[0]) : from;
    from = safeStart(text, Math.max(from, Math.min(centre - MAX_SNIPPET_CHARS / 4, to - MAX_SNIPPET_CHARS)));
    to = safeEnd(text, from + MAX_SNIPPET_CHARS);
  }
  let out = from > 0 ? opts.ellipsis : '';
  let at = from;
  for (const [a, b] of marks) {
    if (b <= from || a >= to) continue;
    const s = Math.max(a, from);
    const e = Math.min(b, to);
    out += text.slice(at, s) + opts.markers[0] + text.slice(s, e) + opts.markers[1];
    at = e;
  }
  out += text.slice(at, to);
  return to < text.length ? out + opts.ellipsis : out;
}

/** The plain text and the [start, end) ranges highlight() marked in it. */
function unmark(source: string): { text: string; marks: [number, number][] } {
  let text = '';
  const marks: [number, number][] = [];
  let open = -1;
  let at = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c !== OPEN && c !== CLOSE) continue;
    text += source.slice(at, i);
    at = i + 1;
    if (c === OPEN && open < 0) open = text.length;
    else if (c === CLOSE && open >= 0) {
      if (text.length > open) marks.push([open, text.length]);
      open = -1;
    }
  }
  text += source.slice(at);
  if (open >= 0 && text.length > open) marks.push([open, text.length]);
  return { text, marks };
}

/** Words, and each character of a script written without spaces, with what of them is marked. */
function unitsOf(text: string, marks: readonly [number, number][]): Unit[] {
  const units: Unit[] = [];
  let m = 0;
  const push = (start: number, end: number): void => {
    while (m < marks.length && marks[m]![1] <= start) m++;
    const marked = m < marks.length && marks[m]![0] < end;
    units.push({ start, end, key: marked ? text.slice(start, end).toLowerCase() : null });
  };
  for (const match of text.matchAll(WORD)) {
    const start = match.index;
    const word = match[0];
    let runStart = start;
    for (let i = 0; i < word.length; ) {
      const cp = word.codePointAt(i)!;
      const w = cp > 0xffff ? 2 : 1;
      if (isDenseCodePoint(cp)) {
        if (start + i > runStart) push(runStart, start + i);
        push(start + i, start + i + w);
        runStart = start + i + w;
      }
      i += w;
    }
    if (start + word.length > runStart) push(runStart, start + word.length);
  }
  return units;
}

/**
 * The first unit of the `n`-unit window with the most distinct matches, then the most matches
 * (the earliest of equals), moved so that its matches sit in the middle, as FTS5's snippet() does.
 */
function bestWindow(units: readonly Unit[], n: number): number {
  const counts = new Map<string, number>();
  let matched = 0;
  const add = (u: Unit, d: number): void => {
    if (u.key === null) return;
    const c = (counts.get(u.key) ?? 0) + d;
    if (c === 0) counts.delete(u.key);
    else counts.set(u.key, c);
    matched += d;
  };
  for (let i = 0; i < n; i++) add(units[i]!, 1);
  let best = 0;
  let bestScore = counts.size * 1000 + matched;
  for (let i = 1; i + n <= units.length; i++) {
    add(units[i - 1]!, -1);
    add(units[i + n - 1]!, 1);
    const score = counts.size * 1000 + matched;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  if (bestScore === 0) return 0;
  let firstMatch = best;
  while (units[firstMatch]!.key === null) firstMatch++;
  let lastMatch = best + n - 1;
  while (units[lastMatch]!.key === null) lastMatch--;
  const centred = firstMatch - Math.floor((n - (lastMatch - firstMatch + 1)) / 2);
  return Math.max(0, Math.min(units.length - n, centred));
}

/** `i` moved forward off the second half of a surrogate pair and off combining marks. */
function safeStart(text: string, i: number): number {
  let j = Math.max(0, Math.floor(i));
  while (j < text.length && (/[\udc00-\udfff]/.test(text[j]!) || /\p{M}/u.test(text[j]!))) j++;
  return j;
}

/** `i` moved back off the second half of a surrogate pair and off combining marks. */
function safeEnd(text: string, i: number): number {
  let j = Math.min(text.length, Math.floor(i));
  while (j > 0 && j < text.length && (/[\udc00-\udfff]/.test(text[j]!) || /\p{M}/u.test(text[j]!))) j--;
  return j;
}
