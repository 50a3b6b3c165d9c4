// Types of hybrid retrieval, shared by the retriever, RAG, the CLI and the vault worker.
import type { Embedder } from '../embeddings/embedder';
import type { Coverage } from '../embeddings/embeddingStore';
import type { SearchHit } from '../types';
import type { Boosts } from './boosts';

export type RetrievalMode = 'lexical' | 'semantic' | 'hybrid';
export const RETRIEVAL_MODES: readonly RetrievalMode[] = ['lexical', 'semantic', 'hybrid'];

/** What retrieval needs from the lexical index (the Vault implements it). */
export interface LexicalSource {
  searchLexical(query: string, opts?: { limit?: number; pathPrefix?: string; tag?: string; roots?: readonly string[] }): SearchHit[];
}

export interface RetrieveOptions {
  /** Default: hybrid when the embedding model has vectors in the vault, else lexical. */
  mode?: RetrievalMode;
  /** Results wanted (default 10). */
  limit?: number;
  /** Embeds the query (semantic and hybrid). */
  embedder?: Embedder;
  /** A query vector given directly (benchmarks, "more like this"); needs `modelKey`. */
  queryVector?: ArrayLike<number>;
  /** The embedding model whose vectors to search (default: embedder.modelKey). */
  modelKey?: string;
  /** Only notes whose path (relative to their folder) starts with this. */
  pathPrefix?: string;
  /** Only notes with this tag (front matter or #tag; case-insensitive, '#' optional). */
  tag?: string;
  /** Only notes of these folders (absolute root paths); empty or absent: all. */
  roots?: readonly string[];
  /** Chunks per file before other files get their turn (default 2). */
  perFileCap?: number;
  /** How deep each ranking is read before fusion (default 50). */
  depth?: number;
  /** Chunk ids never returned (e.g. the selection the question is about). */
  excludeChunkIds?: ReadonlySet<number>;
  signal?: AbortSignal;
}

export interface Explain {
  lexical: { rank: number; score: number } | null;
  vector: { rank: number; similarity: number } | null;
  /** Reciprocal rank fusion score (k = 60) before boosts. */
  rrf: number;
  boosts: Boosts;
  /** rrf + boosts: the order of results. */
  fused: number;
  /** Share of the query's words found in the chunk (title, headings, text). */
  termCoverage: number;
  /** Moved down because its file already had `perFileCap` results above it. */
  demoted: boolean;
}

export interface RetrievedChunk {
  chunkId: number;
  chunkHash: string;
  root: string;
  path: string;
  title: string;
  heading: string;
  startLine: number;
  endLine: number;
  /** The chunk's text as in the file. */
  text: string;
  /** The lexical snippet when the chunk was a lexical hit, else the start of its text. */
  snippet: string;
  /** = explain.fused. */
  score: number;
  explain: Explain;
}

export interface RetrievalResult {
  /** The mode used (hybrid falls back to lexical when the model has no vectors). */
  mode: RetrievalMode;
  requestedMode: RetrievalMode | 'default';
  fallbackReason: string | null;
  items: RetrievedChunk[];
  /** Semantic coverage of the vault for the model; null when no embedding model was involved. */
  coverage: Coverage | null;
  /** True when some chunks have no vector yet (coverage.ratio < 1). */
  partial: boolean;
  /** Best cosine similarity among the vector hits, and the mean over all vectors (for thresholds). */
  bestSimilarity: number | null;
  meanSimilarity: number | null;
  timings: { lexicalMs: number; embedMs: number; vectorMs: number; fuseMs: number; totalMs: number };
}
