// Types of related notes: what the vault returns for "notes close to this one", shared by the CLI,
// the vault worker and the Related Notes view.

/** Why a note is related: each row of the view and each CLI result lists these. */
export type RelatedReason =
  /**
   * The note's closest passage: by the embedding model's vectors (`similarity`, cosine), or by the
   * open note's most distinctive words it holds (`words`).
   */
  | { kind: 'passage'; by: 'vectors' | 'words'; startLine: number; endLine: number; heading: string; similarity?: number; words?: string[] }
  /** Tags both notes carry (front matter tags and #tags). */
  | { kind: 'tags'; tags: string[] }
  /**
   * A link between the two notes: 'out' the open note links to it, 'in' it links to the open note;
   * `line`: the line of the link in the note holding it (for 'both', the open note's).
   */
  | { kind: 'link'; direction: 'out' | 'in' | 'both'; line?: number };

export interface RelatedNote {
  /** The vault folder holding the note (absolute). */
  root: string;
  /** Relative to root, forward slashes (as search returns it). */
  path: string;
  title: string;
  /** Higher is closer (0..1). */
  score: number;
  /** The lines to open: the closest passage (1-based, inclusive). */
  startLine: number;
  endLine: number;
  reasons: RelatedReason[];
}

export interface RelatedOptions {
  /** Notes wanted (default 10, at most 100). */
  limit?: number;
  /** The embedding model whose vectors to use (default: the vault's active one, when it has vectors). */
  model?: string;
}

export interface RelatedResult {
  /** The note asked about, as the vault holds it. */
  root: string;
  path: string;
  /** How closeness was measured: the embedding model's vectors, or the note's distinctive words. */
  by: 'vectors' | 'words';
  /** The distinctive words searched for (by: 'words'). */
  words: string[];
  notes: RelatedNote[];
  ms: number;
}
