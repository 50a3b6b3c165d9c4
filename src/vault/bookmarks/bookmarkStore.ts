// Bookmarks in the vault database (the `bookmarks` table of migration 0001). Bookmarks keep their own
// copy of path, lines and text, and never reference documents or chunks, so re-indexing, clearing
// the index or deleting a note cannot take them away. Every change is one transaction.
import { isAbsolute } from 'node:path';
import type { Row, SqliteDatabase } from '../db/sqlite';
import { captureAnchor, locateAnchor } from './anchor';
import {
  BookmarkError,
  type AnchorStatus,
  type AnswerCitation,
  type Bookmark,
  type BookmarkKind,
  type BookmarkNode,
  type BookmarkPayload,
  type Placement,
  type ResolveResult,
} from './types';

export interface FileRef {
  /** Absolute path of the workspace folder. */
  rootPath: string;
  /** Relative to rootPath, forward slashes. */
  path: string;
}

export interface AddSelectionInput extends FileRef {
  startLine: number;
  endLine: number;
  /** The file's text now (the open editor's, unsaved edits included): the anchor is taken from it. */
  fileText: string;
  label?: string;
}

export interface AddSearchResultInput extends AddSelectionInput {
  query: string;
}

export interface AddAnswerInput {
  question: string;
  answer: string;
  citations?: AnswerCitation[];
  label?: string;
}

export interface ResolvedBookmark extends ResolveResult {
  bookmark: Bookmark;
}

const MAX_LABEL = 300;
/** Below this gap between neighbours, midpoints lose precision: siblings are renumbered first. */
const MIN_GAP = 1e-6;

interface BookmarkRow extends Row {
  id: number;
  parent_id: number | null;
  kind: string;
  label: string;
  position: number;
  root_path: string | null;
  path: string | null;
  start_line: number | null;
  end_line: number | null;
  anchor_text: string | null;
  anchor_before: string | null;
  anchor_after: string | null;
  status: string;
  payload: string | null;
  created_at: number;
  updated_at: number;
}

// Helpers are #private: the vault worker dispatches method names that arrive in messages, and only
// the public methods below may be reachable that way.
export class BookmarkStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  addFile(file: FileRef & { label?: string }, place: Placement = {}): Bookmark {
    checkFileRef(file);
    return this.#insert('file', cleanLabel(file.label ?? baseName(file.path)), place, { ...file });
  }

  addSelection(input: AddSelectionInput, place: Placement = {}): Bookmark {
    checkFileRef(input);
    const anchor = captureAnchor(input.fileText, input.startLine, input.endLine);
    const label = cleanLabel(input.label ?? defaultSelectionLabel(anchor.text, input.path, input.startLine));
    return this.#insert('selection', label, place, { rootPath: input.rootPath, path: input.path, anchor });
  }

  addSearchResult(input: AddSearchResultInput, place: Placement = {}): Bookmark {
    checkFileRef(input);
    const anchor = captureAnchor(input.fileText, input.startLine, input.endLine);
    const label = cleanLabel(input.label ?? defaultSelectionLabel(anchor.text, input.path, input.startLine));
    return this.#insert('search', label, place, { rootPath: input.rootPath, path: input.path, anchor, payload: { query: input.query } });
  }

  addAnswer(input: AddAnswerInput, place: Placement = {}): Bookmark {
    if (!input.answer.trim()) throw new BookmarkError('An empty answer cannot be bookmarked.');
    const label = cleanLabel(input.label ?? (input.question.trim() || input.answer));
    const payload: BookmarkPayload = { question: input.question, answer: input.answer, citations: input.citations ?? [] };
    return this.#insert('answer', label, place, { payload });
  }

  createFolder(label: string, place: Placement = {}): Bookmark {
    return this.#insert('folder', cleanLabel(label), place, {});
  }

  get(id: number): Bookmark | undefined {
    const row = this.#db.get<BookmarkRow>('SELECT * FROM bookmarks WHERE id = ?', [id]);
    return row ? fromRow(row) : undefined;
  }

  /** The bookmark, or a BookmarkError saying it no longer exists. */
  require(id: number): Bookmark {
    const b = this.get(id);
    if (!b) throw new BookmarkError(`Bookmark ${id} no longer exists.`);
    return b;
  }

  /** Direct children of a folder (null: the top level), in order. */
  children(parentId: number | null): Bookmark[] {
    return this.#db.all<BookmarkRow>('SELECT * FROM bookmarks WHERE parent_id IS ? ORDER BY position, id', [parentId]).map(fromRow);
  }

  /** Every bookmark as a tree of folders, in order. */
  tree(): BookmarkNode[] {
    const nodes = new Map<number, BookmarkNode>();
    const rows = this.#db.all<BookmarkRow>('SELECT * FROM bookmarks ORDER BY position, id');
    for (const r of rows) nodes.set(r.id, { ...fromRow(r), children: [] });
    const top: BookmarkNode[] = [];
    for (const n of nodes.values()) {
      const parent = n.parentId === null ? undefined : nodes.get(n.parentId);
      (parent ? parent.children : top).push(n);
    }
    return top;
  }

  /** Bookmarks that point into one file (for following renames, or showing a file's bookmarks). */
  forFile(file: FileRef): Bookmark[] {
    return this.#db.all<BookmarkRow>('SELECT * FROM bookmarks WHERE root_path = ? AND path = ? ORDER BY position, id', [file.rootPath, file.path]).map(fromRow);
  }

  rename(id: number, label: string): Bookmark {
    const clean = cleanLabel(label);
    return this.#db.transaction(() => {
      this.require(id);
      this.#db.run('UPDATE bookmarks SET label = ?, updated_at = ? WHERE id = ?', [clean, Date.now(), id]);
      return this.require(id);
    });
  }

  /** Deletes a bookmark, or a folder with everything in it. Returns how many bookmarks went. */
  delete(id: number): number {
    return this.#db.transaction(() => {
      this.require(id);
      const n = this.#db.get<{ n: number }>(
        'WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT b.id FROM bookmarks b JOIN sub ON b.parent_id = sub.id) SELECT count(*) AS n FROM sub',
        [id],
      )!.n;
      this.#db.run('DELETE FROM bookmarks WHERE id = ?', [id]);
      return n;
    });
  }

  /** Deletes several bookmarks in one transaction (ones inside a folder that is also deleted simply go with it). */
  deleteMany(ids: number[]): number {
    return this.#db.transaction(() => {
      for (const id of ids) this.require(id);
      let n = 0;
      for (const id of ids) if (this.get(id)) n += this.delete(id);
      return n;
    });
  }

  /** Moves a bookmark (or folder) into a folder (null: top level) at an index among its new siblings. */
  move(id: number, place: Placement): Bookmark {
    return this.#db.transaction(() => {
      const b = this.require(id);
      const parentId = place.parentId === undefined ? b.parentId : place.parentId;
      this.#checkParent(parentId);
      if (parentId !== null && this.#isSelfOrDescendant(parentId, id)) {
        throw new BookmarkError(`"${b.label}" cannot be moved into itself or one of its own folders.`);
      }
      const position = this.#positionAt(parentId, this.#indexOf(parentId, place, id), id);
      this.#db.run('UPDATE bookmarks SET parent_id = ?, position = ?, updated_at = ? WHERE id = ?', [parentId, position, Date.now(), id]);
      return this.require(id);
    });
  }

  /** Moves several bookmarks, keeping their given order, in one transaction (a multi-selection drag and drop). */
  moveMany(ids: number[], place: Placement): Bookmark[] {
    return this.#db.transaction(() => {
      if (place.beforeId !== undefined && ids.includes(place.beforeId)) throw new BookmarkError('Bookmarks cannot be placed before themselves.');
      // With an index, each next one goes after the previous one; with beforeId, each lands just before the same sibling.
      return ids.map((id, k) => this.move(id, place.index === undefined ? place : { ...place, index: place.index + k }));
    });
  }

  /** Swaps a bookmark with its previous (-1) or next (+1) sibling; at either end it stays put. */
  moveBy(id: number, delta: -1 | 1): Bookmark {
    return this.#db.transaction(() => {
      const b = this.require(id);
      const siblings = this.children(b.parentId);
      const from = siblings.findIndex((s) => s.id === id);
      const to = from + delta;
      if (to < 0 || to >= siblings.length) return b;
      // Index among the siblings without this bookmark: moving down past one neighbour is index from+1.
      return this.move(id, { parentId: b.parentId, index: to });
    });
  }

  /**
   * Finds a bookmark's text in the file's current text (null: the file is gone), and remembers the
   * outcome: new lines and status, and the anchor re-taken from the current text when found, so the
   * next edit is measured from here.
   */
  resolve(id: number, currentFileText: string | null): ResolvedBookmark {
    return this.#db.transaction(() => {
      const b = this.require(id);
      if (b.kind === 'folder' || b.kind === 'answer') throw new BookmarkError(`"${b.label}" is ${b.kind === 'folder' ? 'a folder' : 'an answer'}, not a place in a file.`);
      const now = Date.now();
      if (b.kind === 'file' || b.startLine === null || b.endLine === null || b.anchorText === null) {
        const status: AnchorStatus = currentFileText === null ? 'lost' : 'ok';
        if (status !== b.status) this.#db.run('UPDATE bookmarks SET status = ?, updated_at = ? WHERE id = ?', [status, now, id]);
        return { startLine: 1, endLine: 1, status, bookmark: this.require(id) };
      }
      const anchor = { startLine: b.startLine, endLine: b.endLine, text: b.anchorText, before: b.anchorBefore ?? '', after: b.anchorAfter ?? '' };
      const r = currentFileText === null ? { startLine: b.startLine, endLine: b.endLine, status: 'lost' as const } : locateAnchor(anchor, currentFileText);
      if (r.status === 'lost' || currentFileText === null) {
        // Keep the old text: if it comes back (an undo, a restored file) it is found again.
        this.#db.run('UPDATE bookmarks SET status = ?, updated_at = ? WHERE id = ?', ['lost', now, id]);
      } else {
        const fresh = captureAnchor(currentFileText, r.startLine, r.endLine);
        this.#db.run(
          'UPDATE bookmarks SET start_line = ?, end_line = ?, anchor_text = ?, anchor_before = ?, anchor_after = ?, status = ?, updated_at = ? WHERE id = ?',
          [r.startLine, r.endLine, fresh.text, fresh.before, fresh.after, r.status, now, id],
        );
      }
      return { ...r, bookmark: this.require(id) };
    });
  }

  /** Resolves every bookmark into one file against its text (after a save, a delete: null), in one transaction. */
  resolveFile(file: FileRef, currentFileText: string | null): ResolvedBookmark[] {
    return this.#db.transaction(() => this.forFile(file).map((b) => this.resolve(b.id, currentFileText)));
  }

  /** Follows a renamed file (or folder of files: every path under `from/`). Returns how many bookmarks changed. */
  renamePath(rootPath: string, from: string, to: string): number {
    checkFileRef({ rootPath, path: from });
    checkFileRef({ rootPath, path: to });
    return this.#db.transaction(() => {
      const now = Date.now();
      const exact = this.#db.run('UPDATE bookmarks SET path = ?, updated_at = ? WHERE root_path = ? AND path = ?', [to, now, rootPath, from]).changes;
      const prefix = from.replace(/\/+$/, '') + '/';
      const under = this.#db.run(
        'UPDATE bookmarks SET path = ? || substr(path, ?), updated_at = ? WHERE root_path = ? AND substr(path, 1, ?) = ?',
        [to.replace(/\/+$/, '') + '/', prefix.length + 1, now, rootPath, prefix.length, prefix],
      ).changes;
      return exact + under;
    });
  }

  #insert(
    kind: BookmarkKind,
    label: string,
    place: Placement,
    data: { rootPath?: string; path?: string; anchor?: ReturnType<typeof captureAnchor>; payload?: BookmarkPayload },
  ): Bookmark {
    return this.#db.transaction(() => {
      const parentId = place.parentId ?? null;
      this.#checkParent(parentId);
      const position = this.#positionAt(parentId, this.#indexOf(parentId, place));
      const now = Date.now();
      const a = data.anchor;
      const { lastInsertRowid } = this.#db.run(
        `INSERT INTO bookmarks (parent_id, kind, label, position, root_path, path, start_line, end_line, anchor_text, anchor_before, anchor_after, status, payload, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', ?, ?, ?)`,
        [
          parentId, kind, label, position, data.rootPath ?? null, data.path ?? null,
          a?.startLine ?? null, a?.endLine ?? null, a?.text ?? null, a?.before ?? null, a?.after ?? null,
          data.payload ? JSON.stringify(data.payload) : null, now, now,
        ],
      );
      return this.require(lastInsertRowid);
    });
  }

  /** The index that a placement means among a folder's children (without `excludeId`). */
  #indexOf(parentId: number | null, place: Placement, excludeId?: number): number | undefined {
    if (place.beforeId === undefined) return place.index;
    const siblings = this.#db
      .all<{ id: number }>('SELECT id FROM bookmarks WHERE parent_id IS ? AND id IS NOT ? ORDER BY position, id', [parentId, excludeId ?? null])
      .map((r) => r.id);
    const i = siblings.indexOf(place.beforeId);
    if (i < 0) throw new BookmarkError(`Bookmark ${place.beforeId} is not in that folder.`);
    return i;
  }

  #checkParent(parentId: number | null): void {
    if (parentId === null) return;
    const p = this.get(parentId);
    if (!p) throw new BookmarkError(`Folder ${parentId} no longer exists.`);
    if (p.kind !== 'folder') throw new BookmarkError(`"${p.label}" is not a folder.`);
  }

  #isSelfOrDescendant(candidate: number, ancestor: number): boolean {
    let cur: number | null = candidate;
    for (let guard = 0; cur !== null && guard < 10_000; guard++) {
      if (cur === ancestor) return true;
      cur = this.#db.get<{ parent_id: number | null }>('SELECT parent_id FROM bookmarks WHERE id = ?', [cur])?.parent_id ?? null;
    }
    return false;
  }

  /** A position between the neighbours at `index` among a folder's children (without `excludeId`). */
  #positionAt(parentId: number | null, index: number | undefined, excludeId?: number): number {
    const read = (): number[] =>
      this.#db
        .all<{ position: number }>('SELECT position FROM bookmarks WHERE parent_id IS ? AND id IS NOT ? ORDER BY position, id', [parentId, excludeId ?? null])
        .map((r) => r.position);
    let siblings = read();
    const i = Math.max(0, Math.min(index ?? siblings.length, siblings.length));
    const gapAt = (s: number[]): number => (i > 0 && i < s.length ? s[i]! - s[i - 1]! : Infinity);
    if (gapAt(siblings) < MIN_GAP) {
      this.#renumber(parentId, excludeId);
      siblings = read();
    }
    const prev = siblings[i - 1];
    const next = siblings[i];
    if (prev === undefined && next === undefined) return 1;
    if (prev === undefined) return next! - 1;
    if (next === undefined) return prev + 1;
    return (prev + next) / 2;
  }

  /** Spreads a folder's children out to 1, 2, 3, ... keeping their order. */
  #renumber(parentId: number | null, excludeId?: number): void {
    const ids = this.#db
      .all<{ id: number }>('SELECT id FROM bookmarks WHERE parent_id IS ? AND id IS NOT ? ORDER BY position, id', [parentId, excludeId ?? null])
      .map((r) => r.id);
    ids.forEach((id, k) => this.#db.run('UPDATE bookmarks SET position = ? WHERE id = ?', [k + 1, id]));
  }
}

function fromRow(r: BookmarkRow): Bookmark {
  return {
    id: r.id,
    parentId: r.parent_id,
    kind: r.kind as BookmarkKind,
    label: r.label,
    position: r.position,
    rootPath: r.root_path,
    path: r.path,
    startLine: r.start_line,
    endLine: r.end_line,
    anchorText: r.anchor_text,
    anchorBefore: r.anchor_before,
    anchorAfter: r.anchor_after,
    status: r.status as AnchorStatus,
    payload: r.payload ? (JSON.parse(r.payload) as BookmarkPayload) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Labels are one line: whitespace runs (newlines included) become one space. */
function cleanLabel(label: string): string {
  const clean = label.replace(/\s+/g, ' ').trim();
  if (!clean) throw new BookmarkError('A bookmark name cannot be empty.');
  return clean.length > MAX_LABEL ? clean.slice(0, MAX_LABEL - 1) + '…' : clean;
}

function checkFileRef(f: FileRef): void {
  if (!f.rootPath || !isAbsolute(f.rootPath)) throw new BookmarkError(`The workspace folder "${f.rootPath}" is not an absolute path.`);
  if (!f.path || f.path.startsWith('/') || /^[a-zA-Z]:/.test(f.path) || f.path.includes('\\')) {
    throw new BookmarkError(`"${f.path}" is not a path relative to its workspace folder (forward slashes).`);
  }
  if (f.path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) throw new BookmarkError(`"${f.path}" must not contain empty, '.' or '..' segments.`);
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function defaultSelectionLabel(text: string, path: string, startLine: number): string {
  const first = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
  if (!first) return `${baseName(path)}:${startLine}`;
  return first.length > 80 ? first.slice(0, 79) + '…' : first;
}
