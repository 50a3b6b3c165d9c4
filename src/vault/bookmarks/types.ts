// Bookmarks: what the store keeps and what it hands out. Plain data, shared by the store, the
// vault worker's protocol and the tree view (which only displays it).
// Lines are 1-based and inclusive, like chunks.start_line/end_line.

export type BookmarkKind = 'folder' | 'file' | 'selection' | 'search' | 'answer';
export type AnchorStatus = 'ok' | 'moved' | 'lost';

/** Where a bookmark's text is: its lines and the text itself, with one line of context each side. */
export interface TextAnchor {
  startLine: number;
  endLine: number;
  /** Lines startLine..endLine joined with '\n'. */
  text: string;
  /** The line above startLine ('' at the top of the file). */
  before: string;
  /** The line below endLine ('' at the end of the file). */
  after: string;
}

export interface AnswerCitation {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
}

/** Extra data of search-result and answer bookmarks (the `payload` column, JSON). */
export interface BookmarkPayload {
  query?: string;
  question?: string;
  answer?: string;
  citations?: AnswerCitation[];
}

export interface Bookmark {
  id: number;
  parentId: number | null;
  kind: BookmarkKind;
  label: string;
  position: number;
  /** Absolute path of the workspace folder (null for folders and answers). */
  rootPath: string | null;
  /** Relative to rootPath, forward slashes. */
  path: string | null;
  startLine: number | null;
  endLine: number | null;
  anchorText: string | null;
  anchorBefore: string | null;
  anchorAfter: string | null;
  status: AnchorStatus;
  payload: BookmarkPayload | null;
  createdAt: number;
  updatedAt: number;
}

export interface BookmarkNode extends Bookmark {
  /** Folders only; ordered by position. Always [] for other kinds. */
  children: BookmarkNode[];
}

/** Where a new or moved bookmark goes: a folder (null = top level) and an index among its children. */
export interface Placement {
  parentId?: number | null;
  /** 0 = first; omitted or past the end = last. */
  index?: number;
  /** Just before this sibling (wins over index); it must be in the target folder. */
  beforeId?: number;
}

export interface ResolveResult {
  startLine: number;
  endLine: number;
  status: AnchorStatus;
}

/** Bad input (an unknown id, an empty label, a folder moved into itself, ...): safe to show the user. */
export class BookmarkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BookmarkError';
  }
}
