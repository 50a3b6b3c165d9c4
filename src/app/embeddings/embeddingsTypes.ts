// What the extension is told about the embedding backfill: plain data that crosses the worker boundary.
import type { Coverage } from '../../vault/embeddings/embeddingStore';

export type EmbeddingsState = 'idle' | 'running' | 'paused' | 'done' | 'error';

export interface EmbeddingsStatus {
  state: EmbeddingsState;
  /** The chosen embedding model (manifest id or file path), null when none is chosen. */
  model: string | null;
  /** Key of that model's vectors in the vault (the file's sha256), once the model is loaded. */
  modelKey: string | null;
  /** Chunk texts embedded by the current (or last) run, and done + what was missing when counted. */
  done: number;
  total: number;
  /** Texts the model failed on in this run (retried by the next run). */
  failed: number;
  /** Chunks of the vault with a vector for this model; null until the model's key is known. */
  coverage: Coverage | null;
  error: string | null;
  /** One line for people: what is happening or why nothing is. */
  message: string;
  /** Increases with every change: of two statuses, the higher version is the newer. */
  version: number;
}

export interface EmbeddingsStartRequest {
  /** Manifest id or absolute path of the embedding model (codexVault.embeddingModel); '' for none. */
  model: string;
  /** Forget this model's vectors first and embed every chunk again. */
  rebuild?: boolean;
  /** Texts per embed call and per transaction (default 16). */
  batchSize?: number;
}

export const NO_MODEL_MESSAGE =
  'No embedding model is chosen (codexVault.embeddingModel): full-text search works without one; choose one to add semantic search.';
