// Chunking: one chunk per heading section (the text before the first heading is its own), and
// one rule for a section over the size limits (characters, and estimated embedding tokens; see
// textSize.ts): it is cut at the strongest boundaries that make every piece fit — between
// top-level blocks, then between list items, then between lines outside code, then between the
// lines of a code block that alone is too big, and a single line that alone is too big (a
// minified file, a pasted log) inside the line. So every chunk fits, whatever the note holds.
// Every chunk is an exact line range of the file, or an exact part of one line, so its citation
// opens the right place.
import type { NoteChunk } from '../types';
import { estimateTokens, splitLongLine } from './textSize';

/** Line ranges are 0-based, end exclusive, in file lines. */
export interface BlockInfo {
  start: number;
  end: number;
  /** Cut points inside the block when it alone is too long (list items); empty = cut by lines. */
  innerCuts: number[];
}

export interface HeadingInfo {
  line: number;
  level: number;
  text: string;
}

export interface NoteStructure {
  /** The whole file's lines ('\n'-split, after CRLF normalisation). */
  lines: readonly string[];
  /** First line of the body (after front matter). */
  bodyStart: number;
  headings: readonly HeadingInfo[];
  /** Top-level blocks in order (headings included). */
  blocks: readonly BlockInfo[];
  /** Code ranges at any depth (fences inside lists/quotes too): no overlap start inside, no cut unless the code alone is too big. */
  atomicRanges: readonly [number, number][];
}

export interface ChunkOptions {
  maxChunkChars: number;
  maxChunkTokens: number;
  overlapLines: number;
}

/** A piece of a section: lines [start, end), or the columns [from, to) of line `start` alone. */
type Piece = { start: number; end: number } | { start: number; end: number; from: number; to: number };

export function chunkNote(s: NoteStructure, opts: ChunkOptions): NoteChunk[] {
  const { lines } = s;
  const chunks: NoteChunk[] = [];
  // codeId[line] = 1 + index of the code block holding the line, 0 outside code.
  const codeId = new Int32Array(lines.length);
  s.atomicRanges.forEach(([a, b], i) => codeId.fill(i + 1, a, b));
  const blank = (i: number): boolean => lines[i]!.trim() === '';

  const stack: HeadingInfo[] = [];
  let hi = 0;
  let bi = 0;
  let sectionStart = s.bodyStart;
  let path: string[] = [];
  const emit = (from: number, to: number): void => {
    // Drop blank lines at both ends; a whitespace-only section yields nothing.
    while (from < to && blank(from)) from++;
    while (to > from && blank(to - 1)) to--;
    if (from >= to) return;
    const sectionBlocks: BlockInfo[] = [];
    while (bi < s.blocks.length && s.blocks[bi]!.start < to) {
      if (s.blocks[bi]!.start >= from) sectionBlocks.push(s.blocks[bi]!);
      bi++;
    }
    for (const p of splitSection(from, to, sectionBlocks, new SectionSizes(lines, from, to, opts), codeId, blank, opts)) {
      const text = 'from' in p ? lines[p.start]!.slice(p.from, p.to) : lines.slice(p.start, p.end).join('\n');
      chunks.push({ ord: chunks.length, headingPath: path, startLine: p.start + 1, endLine: p.end, text });
    }
  };
  for (; hi <= s.headings.length; hi++) {
    const h = s.headings[hi];
    emit(sectionStart, h ? h.line : lines.length);
    if (!h) break;
    while (stack.length && stack[stack.length - 1]!.level >= h.level) stack.pop();
    stack.push(h);
    path = stack.map((x) => x.text);
    sectionStart = h.line;
  }
  return chunks;
}

/**
 * Sizes of the line ranges of one section in O(1): prefix sums of characters (each line plus its
 * '\n') and of estimated tokens. A line break ends a word, so the lines' estimates add up to the
 * estimate of their text; and text has at most as many tokens as characters, so a section short
 * enough in characters is never scanned for tokens.
 */
class SectionSizes {
  private readonly chars: Float64Array;
  private readonly tokens: Float64Array | undefined;

  constructor(readonly lines: readonly string[], private readonly from: number, to: number, private readonly opts: ChunkOptions) {
    this.chars = new Float64Array(to - from + 1);
    for (let i = from; i < to; i++) this.chars[i - from + 1] = this.chars[i - from]! + lines[i]!.length + 1;
    if (this.chars[to - from]! > opts.maxChunkTokens) {
      this.tokens = new Float64Array(to - from + 1);
      for (let i = from; i < to; i++) this.tokens[i - from + 1] = this.tokens[i - from]! + estimateTokens(lines[i]!);
    }
  }

  /** Whether lines [a, b) of the section fit in one chunk. */
  fits(a: number, b: number): boolean {
    const i = a - this.from;
    const j = b - this.from;
    return this.chars[j]! - this.chars[i]! <= this.opts.maxChunkChars && (!this.tokens || this.tokens[j]! - this.tokens[i]! <= this.opts.maxChunkTokens);
  }
}

/** Returns the pieces covering the section, each within the limits. */
function splitSection(
  from: number,
  to: number,
  blocks: readonly BlockInfo[],
  size: SectionSizes,
  codeId: Int32Array,
  blank: (i: number) => boolean,
  opts: ChunkOptions,
): Piece[] {
  if (size.fits(from, to)) return [{ start: from, end: to }];

  // Cut points: where a piece may begin. Top-level block starts; then, only inside the stretches
  // that are still too big, finer ones, strongest first.
  let cuts: number[] = [from, ...blocks.map((b) => b.start).filter((c) => c > from && c < to), to];
  const listItems = blocks.flatMap((b) => b.innerCuts);
  cuts = refine(cuts, size, (a, b) => within(listItems, a, b).filter((c) => !isInsideCode(c, codeId)));
  cuts = refine(cuts, size, (a, b) => range(a + 1, b).filter((c) => !isInsideCode(c, codeId)));
  cuts = refine(cuts, size, (a, b) => range(a + 1, b));

  const pieces: Piece[] = [];
  let k = 0;
  while (k < cuts.length - 1) {
    const start = cuts[k]!;
    if (!size.fits(start, cuts[k + 1]!)) {
      // One line over the limits by itself: cut inside it.
      if (!blank(start)) {
        const line = size.lines[start]!;
        let at = 0;
        for (const end of splitLongLine(line, { maxChars: opts.maxChunkChars, maxTokens: opts.maxChunkTokens })) {
          if (line.slice(at, end).trim() !== '') pieces.push({ start, end: start + 1, from: at, to: end });
          at = end;
        }
      }
      k++;
      continue;
    }
    let textStart = start;
    const prev = pieces[pieces.length - 1];
    if (prev && opts.overlapLines > 0) textStart = overlapStart(start, prev.start, opts.overlapLines, codeId, blank, (s) => size.fits(s, cuts[k + 1]!));
    let next = k + 1;
    // Take the first segment, then more while they fit.
    while (next < cuts.length - 1 && size.fits(textStart, cuts[next + 1]!)) next++;
    let end = cuts[next]!;
    while (end > start && blank(end - 1)) end--;
    while (textStart < end && blank(textStart)) textStart++;
    if (end > start) pieces.push({ start: textStart, end });
    k = next;
  }
  return pieces;
}

/** Adds the cut points `finer(a, b)` proposes inside each stretch [a, b) of `cuts` that does not fit. */
function refine(cuts: number[], size: SectionSizes, finer: (a: number, b: number) => number[]): number[] {
  const out: number[] = [cuts[0]!];
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1]!;
    const b = cuts[i]!;
    // A loop, not push(...): a 2 MB code block can propose more cuts than a call takes arguments.
    if (!size.fits(a, b)) for (const c of finer(a, b)) out.push(c);
    out.push(b);
  }
  return out;
}

/** The values of an ascending list strictly between a and b. */
function within(sorted: readonly number[], a: number, b: number): number[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= a) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < sorted.length && sorted[i]! < b; i++) out.push(sorted[i]!);
  return out;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
}

/** A cut before line c (0-based) is inside code when lines c-1 and c belong to one code block. */
function isInsideCode(c: number, codeId: Int32Array): boolean {
  return codeId[c] !== 0 && codeId[c] === codeId[c - 1];
}

/**
 * Start a piece up to `overlap` non-blank lines earlier, for context across the cut, as far as
 * the piece still fits — but not back into the previous piece's first line, and never into a code block.
 */
function overlapStart(start: number, prevStart: number, overlap: number, codeId: Int32Array, blank: (i: number) => boolean, fits: (s: number) => boolean): number {
  let s = start;
  let taken = 0;
  for (let l = start - 1; l > prevStart && taken < overlap; l--) {
    if (codeId[l] !== 0) break;
    if (!blank(l)) {
      if (!fits(l)) break;
      taken++;
      s = l;
    }
  }
  return s;
}
