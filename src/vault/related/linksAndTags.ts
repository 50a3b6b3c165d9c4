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

export function toNoteRow(r: RawNote): NoteRow {
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

type RawNote = { id: number; root: string; path: string; title: string; tags: string; aliases: string; links: string };

/** Notes with a chunk among the first CANDIDATE_CHUNKS matches of :q, the note :self aside. */
const FROM_CANDIDATES = `FROM documents d JOIN roots r ON r.id = d.root_id
  WHERE d.id IN (SELECT c.doc_id FROM (SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT :n) m JOIN chunks c ON c.id = m.id) AND d.id != :self`;

/** The note `docId` with its tags, aliases and links. */
export function noteRow(db: SqliteDatabase, docId: number): NoteRow | undefined {
  const r = db.get<RawNote>(`SELECT ${NOTE_COLUMNS} FROM documents d JOIN roots r ON r.id = d.root_id WHERE d.id = ?`, [docId]);
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
  const ties = new Map<number, Tie>();
  const tie = (other: NoteRow): Tie => ({
    docId: other.id, root: other.root, path: other.path, title: other.title, tags: other.tags.filter((t) => note.tags.includes(t)), theirTags: other.tags.length,
  });
  // Links either way: candidates whose title or file name a link of the note names, or whose text names the note.
  const linkQuery = [
    anyOf('title', note.links.map((l) => targetKeys(l.target).at(-1)!).filter(Boolean)),
    anyOf('body', [...names].map((n) => n.slice(n.lastIndexOf('/') + 1))),
  ].filter((p): p is string => p !== undefined);
  if (linkQuery.length > 0) {
    for (const raw of db.all<RawNote>(`SELECT ${NOTE_COLUMNS} ${FROM_CANDIDATES}`, { ':q': linkQuery.join(' OR '), ':n': CANDIDATE_CHUNKS, ':self': note.id })) {
      const other = toNoteRow(raw);
      const t = tie(other);
      const out = linksTo(note.links, namesOf(other));
      if (out !== undefined) t.out = out;
      const inn = linksTo(other.links, names);
      if (inn !== undefined) t.in = inn;
      if (t.out !== undefined || t.in !== undefined) ties.set(other.id, t);
    }
  }
  // Shared tags: counted by SQLite, so that a tag many notes carry costs no JSON parsed here; the
  // notes sharing the most tags (then the oldest) are kept.
  const tagQuery = anyOf('tags', note.tags);
  if (tagQuery) {
    const rows = db.all<RawNote & { shared: number }>(
      `SELECT * FROM (SELECT ${NOTE_COLUMNS}, (SELECT count(*) FROM json_each(d.tags) t WHERE t.value IN (SELECT value FROM json_each(:tags))) AS shared ${FROM_CANDIDATES})
       WHERE shared > 0 ORDER BY shared DESC, id LIMIT :limit`,
      { ':q': tagQuery, ':n': CANDIDATE_CHUNKS, ':self': note.id, ':tags': JSON.stringify(note.tags), ':limit': limit },
    );
    for (const raw of rows) {
      const had = ties.get(Number(raw.id));
      if (!had) ties.set(Number(raw.id), tie(toNoteRow(raw)));
    }
  }
  return ties;
}
