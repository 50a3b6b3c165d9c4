// Types shared across the vault layer (parsing, scanning, indexing, search) and its callers.
// Paths inside a root are relative with forward slashes; `root` is the workspace folder's absolute path.

/** A link found in a note: `[[Wiki Link]]` / `[[target|alias]]` or a Markdown link to another file. */
export interface NoteLink {
  target: string;
  kind: 'wiki' | 'markdown';
  /** 1-based line of the link. */
  line: number;
}

/** One retrievable piece of a note: a heading section, or part of a long one. */
export interface NoteChunk {
  /** Position in the note, from 0. */
  ord: number;
  /** Headings above the chunk, outermost first (e.g. ['Ownership', 'The Stack and the Heap']). */
  headingPath: string[];
  /** 1-based, inclusive, in the file as it is on disk (front matter counts). */
  startLine: number;
  endLine: number;
  /** The chunk's text exactly as in the file (lines startLine..endLine joined with '\n'). */
  text: string;
}

export interface ParsedNote {
  /** Front matter `title`, else the first H1, else the file name without extension. */
  title: string;
  /** Front matter tags and inline #tags, lower-cased, without '#', unique. */
  tags: string[];
  aliases: string[];
  links: NoteLink[];
  lineCount: number;
  chunks: NoteChunk[];
}

export type SkipReason = 'too-large' | 'binary' | 'not-utf8' | 'unreadable' | 'symlink-loop' | 'external-symlink' | 'not-a-file';

export interface ScannedFile {
  root: string;
  /** Relative to root, forward slashes. */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedFile {
  root: string;
  path: string;
  reason: SkipReason;
  /** Human-readable detail, e.g. "3.2 MB is over the 2 MB limit". */
  detail: string;
}

export interface SearchHit {
  chunkId: number;
  root: string;
  /** Relative to root, forward slashes. */
  path: string;
  title: string;
  startLine: number;
  endLine: number;
  /** Heading path joined with ' > ' ('' for text before the first heading). */
  heading: string;
  /** Higher is better. */
  score: number;
  /** A short extract with matches wrapped in the caller's markers (default « and »). */
  snippet: string;
}
