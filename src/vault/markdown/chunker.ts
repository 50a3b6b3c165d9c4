// Chunking: one chunk per heading section (the text before the first heading is its own),
// and a section over the size limit is cut at block boundaries — between top-level blocks,
// then between list items, then between lines — never inside fenced or indented code.
// Every chunk is an exact line range of the file, so its citation opens the right place.
import type { NoteChunk } from '../types';

/** Line ranges are 0-based, end exclusive, in file lines. */
export interface BlockInfo {
  start: number;
  end: number;
  /** Cut points inside the block when it alone is too long (list items); empty = cut by lines. */
  innerCuts: number[];
  /** Code: never cut. */
  atomic: boolean;
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
  /** Code ranges at any depth (fences inside lists/quotes too): no cut or overlap start inside. */
  atomicRanges: readonly [number, number][];
}

export interface ChunkOptions {
  maxChunkChars: number;
  overlapLines: number;
}

export function chunkNote(s: NoteStructure, opts: ChunkOptions): NoteChunk[] {
  const { lines } = s;
  const chunks: NoteChunk[] = [];
  // Prefix sums of line sizes (each line plus its '\n') make any range's size O(1).
  const prefix = new Int32Array(lines.length + 1);
  for (let i = 0; i < lines.length; i++) prefix[i + 1] = prefix[i]! + lines[i]!.length + 1;
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
    for (const [a, b] of splitSection(from, to, sectionBlocks, prefix, codeId, blank, opts)) {
      chunks.push({ ord: chunks.length, headingPath: path, startLine: a + 1, endLine: b, text: lines.slice(a, b).join('\n') });
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

/** Returns [start, end) line ranges covering the section, each within the limit where possible. */
function splitSection(
  from: number,
  to: number,
  blocks: readonly BlockInfo[],
  prefix: Int32Array,
  codeId: Int32Array,
  blank: (i: number) => boolean,
  opts: ChunkOptions,
): [number, number][] {
  const size = (a: number, b: number): number => prefix[b]! - prefix[a]!;
  if (size(from, to) <= opts.maxChunkChars) return [[from, to]];

  // Cut points: where a piece may begin. Top-level block starts; inside a block that alone is
  // over the limit, its list items, else each line that is not inside code.
  const cuts: number[] = [from];
  const addCut = (c: number): void => {
    if (c > cuts[cuts.length - 1]! && c < to && !isInsideCode(c, codeId)) cuts.push(c);
  };
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    addCut(b.start);
    const end = Math.min(i + 1 < blocks.length ? blocks[i + 1]!.start : to, to);
    if (b.atomic || size(b.start, end) <= opts.maxChunkChars) continue;
    if (b.innerCuts.length) for (const c of b.innerCuts) addCut(c);
    else for (let l = b.start + 1; l < end; l++) addCut(l);
  }
  cuts.push(to);

  const pieces: [number, number][] = [];
  let k = 0;
  while (k < cuts.length - 1) {
    const start = cuts[k]!;
    let next = k + 1;
    // Take the first segment whatever its size (a code block is never cut), then more while they fit.
    while (next < cuts.length - 1 && size(start, cuts[next + 1]!) <= opts.maxChunkChars) next++;
    let end = cuts[next]!;
    while (end > start && blank(end - 1)) end--;
    if (end > start) {
      let textStart = start;
      const prev = pieces[pieces.length - 1];
      if (prev && opts.overlapLines > 0) textStart = overlapStart(start, prev[0], opts.overlapLines, codeId, blank);
      pieces.push([textStart, end]);
    }
    k = next;
  }
  return pieces;
}

/** A cut before line c (0-based) is inside code when lines c-1 and c belong to one code block. */
function isInsideCode(c: number, codeId: Int32Array): boolean {
  return codeId[c] !== 0 && codeId[c] === codeId[c - 1];
}

/**
 * Start a piece up to `overlap` non-blank lines earlier, for context across the cut — but not
 * back into the previous piece's first line, and never into a code block.
 */
function overlapStart(start: number, prevStart: number, overlap: number, codeId: Int32Array, blank: (i: number) => boolean): number {
  let s = start;
  let taken = 0;
  for (let l = start - 1; l > prevStart && taken < overlap; l--) {
    if (codeId[l] !== 0) break;
    if (!blank(l)) {
      taken++;
      s = l;
    }
  }
  return s;
}
