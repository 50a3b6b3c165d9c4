// Reads lines of one note of the vault for an assistant (the MCP server's read_note, the editor's
// readNote tool). Only notes the vault holds can be read: the path must resolve inside one of the
// vault's folders -- after `..` is folded and after symlinks are followed -- and name a note the
// vault indexed (so include/exclude rules, and the size limit, apply as they do to search). What comes
// back is bounded in lines and characters, with the file's own line numbers (as search reports them).
import { realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SqliteDatabase } from '../db/sqlite';
import { decodeNote } from '../scan/decode';
import { retryWhileLocked } from '../store/busy';

/** At most this many lines per read (a caller reads on with startLine). */
export const MAX_READ_LINES = 400;
/** At most this many characters of text per read (long lines count). */
export const MAX_READ_CHARS = 48_000;
/** A file grown past this since it was indexed is not read. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Bad input or a note that cannot be read: the message is a sentence for the caller (a model or a person). */
export class NoteReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteReadError';
  }
}

export interface NoteRange {
  /** 1-based, inclusive; default 1. */
  startLine?: number;
  /** 1-based, inclusive; default: as far as the bounds allow. */
  endLine?: number;
}

export interface NoteLines {
  /** The vault folder holding the note (absolute). */
  root: string;
  /** Relative to root, forward slashes: the path search returns. */
  path: string;
  startLine: number;
  endLine: number;
  totalLines: number;
  /** endLine stopped short of what was asked (or of the end of the note) because of the bounds. */
  truncated: boolean;
  /** The lines startLine..endLine joined with '\n', without numbers. */
  text: string;
}

interface Located {
  root: string;
  rel: string;
}

function inside(root: string, abs: string): string | undefined {
  const rel = relative(root, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

function realOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Finds the vault folder and relative path a caller's path names (absolute, or relative as search
 * returns it); throws NoteReadError, with a sentence for the caller, when it names no note of the vault.
 */
export function locateNote(db: SqliteDatabase, path: string): Located {
  const roots = retryWhileLocked(() => db.all<{ path: string }>('SELECT path FROM roots ORDER BY length(path) DESC')).map((r) => String(r.path));
  if (roots.length === 0) throw new NoteReadError('The vault has no folders indexed yet.');
  const asked = path.replace(/\\/g, '/').trim();
  if (isAbsolute(path)) {
    const abs = resolve(path);
    for (const root of roots) {
      const rel = inside(root, abs);
      if (rel) return { root, rel };
    }
    throw new NoteReadError(`${path} is outside the vault's folders (${roots.join(', ')}); only notes of the vault can be read.`);
  }
  const found: Located[] = [];
  for (const root of roots) {
    const rel = inside(root, resolve(root, asked));
    if (!rel) throw new NoteReadError(`${path} leads outside the vault's folders; give the path as search returns it (relative to its folder).`);
    if (isDocument(db, root, rel)) found.push({ root, rel });
  }
  if (found.length > 1) throw new NoteReadError(`${path} is in more than one vault folder (${found.map((f) => f.root).join(', ')}); give the absolute path.`);
  if (found.length === 0) throw new NoteReadError(`${asked} is not a note of this vault (only the Markdown notes it indexed; search finds them).`);
  return found[0]!;
}

function isDocument(db: SqliteDatabase, root: string, rel: string): boolean {
  return retryWhileLocked(() => db.get('SELECT 1 AS x FROM documents d JOIN roots r ON r.id = d.root_id WHERE r.path = ? AND d.path = ?', [root, rel])) !== undefined;
}

function positiveInt(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) throw new NoteReadError(`${name} must be a whole number from 1, got ${String(v)}.`);
  return v;
}

/** Reads lines of the note `path` (see the file comment for what may be read). */
export async function readNoteLines(db: SqliteDatabase, path: string, range: NoteRange = {}): Promise<NoteLines> {
  if (typeof path !== 'string' || path.trim() === '') throw new NoteReadError('Give the path of a note, as search returns it.');
  if (path.includes('\0')) throw new NoteReadError('A path cannot contain a NUL character.');
  const start = positiveInt(range.startLine, 'startLine') ?? 1;
  const endAsked = positiveInt(range.endLine, 'endLine');
  if (endAsked !== undefined && endAsked < start) throw new NoteReadError(`endLine (${endAsked}) is before startLine (${start}).`);

  const { root, rel } = locateNote(db, path);
  if (!isDocument(db, root, rel)) {
    throw new NoteReadError(`${rel} is not a note of this vault (only the Markdown notes it indexed; search finds them).`);
  }
  const abs = resolve(root, rel);
  // A symlink inside the folder may point anywhere: the file it leads to must be inside too.
  if (!inside(realOrSelf(root), realOrSelf(abs))) throw new NoteReadError(`${rel} is a link to a file outside the vault's folders; it is not read.`);
  let size: number;
  try {
    const st = statSync(abs);
    if (!st.isFile()) throw new NoteReadError(`${rel} is not a file.`);
    size = st.size;
  } catch (err) {
    if (err instanceof NoteReadError) throw err;
    throw new NoteReadError(`${rel} is in the vault's index but no longer on disk (moved or deleted since it was indexed).`);
  }
  if (size > MAX_FILE_BYTES) throw new NoteReadError(`${rel} has grown to ${size} bytes since it was indexed; it is too large to read here.`);
  const decoded = decodeNote(await readFile(abs));
  if (!decoded.ok) throw new NoteReadError(`${rel} ${decoded.detail}.`);
  const lines = decoded.text.split('\n');
  // A final newline ends the last line; it does not start another.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const total = lines.length;
  if (start > total) throw new NoteReadError(`${rel} has ${total} line${total === 1 ? '' : 's'}; startLine ${start} is past its end.`);
  const wanted = Math.min(endAsked ?? total, total);
  let end = start - 1;
  let chars = 0;
  while (end < wanted && end - start + 1 < MAX_READ_LINES) {
    const next = lines[end]!.length + 1;
    if (chars + next > MAX_READ_CHARS && end >= start) break;
    chars += next;
    end++;
  }
  let text = lines.slice(start - 1, end).join('\n');
  // One line longer than the whole budget is cut rather than left out.
  const cut = text.length > MAX_READ_CHARS;
  if (cut) text = `${text.slice(0, MAX_READ_CHARS)}…`;
  return { root, path: rel, startLine: start, endLine: end, totalLines: total, truncated: cut || end < wanted, text };
}
