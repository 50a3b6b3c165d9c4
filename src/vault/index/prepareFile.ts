// Turns one file on disk into what the store writes: read, hash, decode, parse, chunk records.
// Pure CPU and file reads, no database: the indexer prepares a batch, then writes it in one
// transaction.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parseNote } from '../markdown/parseNote';
import { truncateText } from '../markdown/textSize';
import { ftsTitleOf } from '../search/ftsText';
import { segmentForIndex } from '../search/segmenter';
import { decodeNote } from '../scan/decode';
import type { DocumentRecord } from '../store/rows';
import type { ParsedNote, ScannedFile, SkippedFile } from '../types';

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export type ReadOutcome = { ok: true; bytes: Buffer; hash: string; size: number } | { ok: false; skipped: SkippedFile };

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`;
}

/** Reads and hashes a file; unreadable or oversized files become skipped entries, never throws. */
export function readFile(file: ScannedFile, maxFileBytes: number): ReadOutcome {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file.absPath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, skipped: { root: file.root, path: file.path, reason: 'unreadable', detail: `${e.code ?? 'error'}: ${e.message}` } };
  }
  // The file may have grown since it was scanned.
  if (bytes.length > maxFileBytes) {
    return { ok: false, skipped: { root: file.root, path: file.path, reason: 'too-large', detail: `${formatBytes(bytes.length)} is over the ${formatBytes(maxFileBytes)} limit` } };
  }
  return { ok: true, bytes, hash: sha256Hex(bytes), size: bytes.length };
}

/**
 * Most characters of the names (title and aliases) and of the tags written with each chunk: a
 * note with thousands of aliases or tags must not multiply them by its thousands of chunks.
 */
const MAX_CHUNK_NAMES_CHARS = 1000;

/** The FTS `title` column: the title, then aliases, so that a note is found by any of its names. */
export function chunkTitle(note: Pick<ParsedNote, 'title' | 'aliases'>): string {
  return truncateText([note.title, ...note.aliases].join(' '), MAX_CHUNK_NAMES_CHARS);
}

export type ParseOutcome = { ok: true; note: ParsedNote } | { ok: false; skipped: SkippedFile };

export function decodeAndParse(file: Pick<ScannedFile, 'root' | 'path'>, bytes: Uint8Array, maxChunkChars?: number): ParseOutcome {
  const text = decodeNote(bytes);
  if (!text.ok) return { ok: false, skipped: { root: file.root, path: file.path, reason: text.reason, detail: text.detail } };
  try {
    return { ok: true, note: parseNote(text.text, posix.basename(file.path), maxChunkChars ? { maxChunkChars } : undefined) };
  } catch (err) {
    // A parser failure on one odd file must not stop the index: report the file and go on.
    return { ok: false, skipped: { root: file.root, path: file.path, reason: 'unreadable', detail: `could not parse: ${err instanceof Error ? err.message : String(err)}` } };
  }
}

export function toDocumentRecord(file: { path: string; mtimeMs: number }, size: number, hash: string, note: ParsedNote): DocumentRecord {
  const title = chunkTitle(note);
  const tags = truncateText(note.tags.join(' '), MAX_CHUNK_NAMES_CHARS);
  // Every chunk of a note has the same title, so its indexed form is computed once.
  const ftsTitle = ftsTitleOf(title, file.path);
  return {
    path: file.path,
    size,
    mtimeMs: file.mtimeMs,
    hash,
    title: note.title,
    tags: note.tags,
    aliases: note.aliases,
    links: note.links,
    lineCount: note.lineCount,
    chunks: note.chunks.map((c) => {
      const headings = c.headingPath.join(' > ');
      return {
        ord: c.ord, startLine: c.startLine, endLine: c.endLine, hash: sha256Hex(c.text), title, headings, body: c.text, tags,
        ftsTitle, ftsHeadings: segmentForIndex(headings), ftsBody: segmentForIndex(c.text),
      };
    }),
  };
}

/**
 * What the indexer needs to know about one changed file, computed away from the database (on
 * the indexer's thread or in the prepare worker): skipped, same bytes as the stored note, or the
 * record to write.
 */
export type PreparedFile =
  | { kind: 'skip'; skipped: SkippedFile }
  | { kind: 'same'; size: number }
  | { kind: 'parsed'; record: DocumentRecord };

/**
 * Reads, hashes, decodes and parses one file. `knownHash` is the stored note's hash: equal
 * bytes are answered 'same' without parsing. Never throws (a bad file becomes a 'skip').
 */
export function prepareFile(file: ScannedFile, knownHash: string | undefined, maxFileBytes: number, maxChunkChars: number | undefined): PreparedFile {
  const read = readFile(file, maxFileBytes);
  if (!read.ok) return { kind: 'skip', skipped: read.skipped };
  if (knownHash === read.hash) return { kind: 'same', size: read.size };
  const parsed = decodeAndParse(file, read.bytes, maxChunkChars);
  if (!parsed.ok) return { kind: 'skip', skipped: parsed.skipped };
  return { kind: 'parsed', record: toDocumentRecord(file, read.size, read.hash, parsed.note) };
}
