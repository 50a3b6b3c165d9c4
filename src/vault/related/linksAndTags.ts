// Notes tied to a note by its links (either way) and by the tags they share, as the index stores
// them (documents.links: wiki links and Markdown links to files; documents.tags: front matter tags
// and #tags). A link names a note by its file (with or without extension, `.html` included, as
// books built from Markdown link their pages), its file name, its title or an alias.
import type { SqliteDatabase } from '../db/sqlite';
import { segmentQueryWord } from '../search/segmenter';

export interface NoteRow {
  id: number;
  root: string;
  path: string;
  title: string;
  tags: string[];
  aliases: string[];
  links: { target: string; line: number }[];
}

export interface Tie {
  docId: number;
  root: string;
  path: string;
  title: string;
  /** Tags both notes carry. */
  tags: string[];
  /** How many tags the other note has. */
  theirTags: number;
  /** Line of the open note's link to it ('out'), or of its link to the open note ('in'). */
  out?: number;
  in?: number;
}

function parseArray<T>(json: string, keep: (x: unknown) => x is T): T[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter(keep) : [];
  } catch {
    return [];
  }
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isLink = (x: unknown): x is { target: string; line: number } =>
  typeof x === 'object' && x !== null && typeof (x as { target?: unknown }).target === 'string' && typeof (x as { line?: unknown }).line === 'number';

export function toNoteRow(r: { id: number; root: string; path: string; title: string; tags: string; aliases: string; links: string }): NoteRow {
  return {
    id: Number(r.id), root: r.root, path: r.path, title: r.title,
    tags: parseArray(r.tags, isString), aliases: parseArray(r.aliases, isString), links: parseArray(r.links, isLink),
  };
}

const EXTENSION = /\.(md|markdown|html?)$/i;

/** The keys a link target may name a note by: its path and its file name, without extension, lower case. */
function targetKeys(target: string): string[] {
  const t = target.replace(/\\/g, '/').replace(/^(\.\/)+/, '').split('|')[0]!.split('#')[0]!.trim().toLowerCase();
  if (!t) return [];
  const noExt = t.replace(EXTENSION, '');
  const base = noExt.slice(noExt.lastIndexOf('/') + 1);
  return noExt === base ? [t, noExt] : [t, noExt, base];
}

/** The names a link may use for a note: path and file name without extension, title, aliases. */
export function namesOf(n: { path: string; title: string; aliases: readonly string[] }): Set<string> {
  const p = n.path.toLowerCase();
  const noExt = p.replace(EXTENSION, '');
  return new Set([p, noExt, noExt.slice(noExt.lastIndexOf('/') + 1), n.title.toLowerCase(), ...n.aliases.map((a) => a.toLowerCase())].filter(Boolean));
}

function linksTo(links: readonly { target: string; line: number }[], names: ReadonlySet<string>): number | undefined {
  for (const l of links) if (targetKeys(l.target).some((k) => names.has(k))) return l.line;
  return undefined;
}

const NOTE_COLUMNS = 'd.id, r.path AS root, d.path, d.title, d.tags, d.aliases, d.links';
/** Chunks read from the index to find candidates: bounds the cost of a very common tag or name. */
const CANDIDATE_CHUNKS = 2000;
const WORDS = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** A name or tag as an FTS5 phrase of the words the index holds ('' when it has none). */
function phrase(text: string): string {
  const words = (text.match(WORDS) ?? []).flatMap(segmentQueryWord);
  return words.length > 0 ? `"${words.join(' ').replace(/"/g, '""')}"` : '';
}

function anyOf(column: string, texts: Iterable<string>): string | undefined {
  const ps = [...new Set([...texts].map(phrase).filter(Boolean))];
  return ps.length > 0 ? `(${column} : (${ps.join(' OR ')}))` : undefined;
}

/** The note `docId` with its tags, aliases and links. */
export function noteRow(db: SqliteDatabase, docId: number): NoteRow | undefined {
  const r = db.get<{ id: number; root: string; path: string; title: string; tags: string; aliases: string; links: string }>(
    `SELECT ${NOTE_COLUMNS} FROM documents d JOIN roots r ON r.id = d.root_id WHERE d.id = ?`, [docId]);
  return r ? toNoteRow(r) : undefined;
}

/**
 * Notes the open note links to, notes linking to it, and notes sharing its tags (at most `limit`
 * of those, most shared tags first). Candidates come from the full-text index (a tag in the tags
 * column, a link's target among the title and file-name words, the note's names in the text
 * of a linking note), so the cost does not grow with the vault; the links and tags are then
 * checked exactly here.
 */
export function linksAndTags(db: SqliteDatabase, note: NoteRow, limit: number): Map<number, Tie> {
  const names = namesOf(note);
  const parts = [
    anyOf('tags', note.tags),
    anyOf('title', note.links.map((l) => targetKeys(l.target).at(-1)!).filter(Boolean)),
    anyOf('body', [...names].map((n) => n.slice(n.lastIndexOf('/') + 1))),
  ].filter((p): p is string => p !== undefined);
  if (parts.length === 0) return new Map();
  const rows = db.all<{ id: number; root: string; path: string; title: string; tags: string; aliases: string; links: string }>(
    `SELECT ${NOTE_COLUMNS} FROM documents d JOIN roots r ON r.id = d.root_id
     WHERE d.id IN (SELECT c.doc_id FROM (SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT :n) m JOIN chunks c ON c.id = m.id)
       AND d.id != :self`,
    { ':q': parts.join(' OR '), ':n': CANDIDATE_CHUNKS, ':self': note.id },
  );
  const ties = new Map<number, Tie>();
  const tagged: Tie[] = [];
  for (const raw of rows) {
    const other = toNoteRow(raw);
    const tie: Tie = { docId: other.id, root: other.root, path: other.path, title: other.title, tags: other.tags.filter((t) => note.tags.includes(t)), theirTags: other.tags.length };
    const out = linksTo(note.links, namesOf(other));
    if (out !== undefined) tie.out = out;
    const inn = linksTo(other.links, names);
    if (inn !== undefined) tie.in = inn;
    if (tie.out !== undefined || tie.in !== undefined) ties.set(other.id, tie);
    else if (tie.tags.length > 0) tagged.push(tie);
  }
  tagged.sort((a, b) => b.tags.length - a.tags.length || a.docId - b.docId);
  for (const t of tagged.slice(0, limit)) ties.set(t.docId, t);
  return ties;
}
