// What the backfill and semantic search need from an embedding model. The engine client
// implements it (see engineEmbedder.ts); tests can implement it over hand-made vectors.
export interface EmbeddingResult {
  vector: ArrayLike<number>;
  /** The text was cut to the model's context size before embedding. */
  truncated?: boolean;
}

export interface Embedder {
  /** Identifies the model's vectors in the database: the model file's sha256. */
  readonly modelKey: string;
  /** Vector length; vectors of another length are refused. */
  readonly dimension: number;
  /** One result per text, in order. Rejects with an AbortError-like error when `signal` aborts. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingResult[]>;
}
