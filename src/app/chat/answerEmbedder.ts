// The chosen embedding model as ask()'s embedder, so that answers search by meaning whenever that
// model has vectors in the vault (retrieval is then hybrid; full text otherwise). The model is
// loaded only when a question is actually embedded. A model that cannot embed the question makes
// the answer fall back to full text, saying why, instead of failing it.
import type { ModelHandle } from '../../engine/client/engineClient';
import type { Embedder, EmbeddingResult } from '../../vault/embeddings/embedder';
import type { EmbeddingStore } from '../../vault/embeddings/embeddingStore';

/** The embedding model could not embed the question: the answer is retrieved by words instead. */
export class EmbedderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbedderUnavailable';
  }
}

export interface ChosenEmbedding {
  modelKey: string;
  handle(): Promise<ModelHandle>;
  engine: { embed(model: ModelHandle, texts: string[]): Promise<{ vectors: number[][]; truncated: boolean[] }> };
}

export function answerEmbedder(chosen: ChosenEmbedding, store: EmbeddingStore): Embedder {
  return {
    modelKey: chosen.modelKey,
    // Only read when vectors exist (the retriever embeds nothing otherwise): their dimension.
    dimension: store.dimensionOf(chosen.modelKey) ?? 0,
    async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingResult[]> {
      let r;
      try {
        const handle = await chosen.handle();
        signal?.throwIfAborted();
        r = await chosen.engine.embed(handle, [...texts]);
      } catch (err) {
        if (signal?.aborted) throw err;
        throw new EmbedderUnavailable(`the embedding model could not embed the question (${err instanceof Error ? err.message : String(err)})`);
      }
      return r.vectors.map((v, i) => ({ vector: v, truncated: r.truncated[i] ?? false }));
    },
  };
}
