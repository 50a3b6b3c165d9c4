// Row shapes of the store's tables, as the store reads and writes them.

export interface RootRow {
  id: number;
  path: string;
  name: string;
}

export interface DocumentRow {
  id: number;
  rootId: number;
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  title: string;
}

/** What a chunk row holds besides its id and document. */
export interface ChunkRecord {
  ord: number;
  startLine: number;
  endLine: number;
  /** sha256 of `body`: the key of the chunk's embeddings. */
  hash: string;
  /** Text of the FTS `title` column: the note's title and aliases. */
  title: string;
  /** Heading path joined with ' > '. */
  headings: string;
  body: string;
  /** Space-separated tags of the note. */
  tags: string;
  /** What the full-text index reads instead of title/headings/body, where that differs (see search/ftsText.ts). */
  ftsTitle: string | null;
  ftsHeadings: string | null;
  ftsBody: string | null;
}

/** A parsed note, reduced to what the documents and chunks tables store. */
export interface DocumentRecord {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  title: string;
  tags: string[];
  aliases: string[];
  links: unknown[];
  lineCount: number;
  chunks: ChunkRecord[];
}
