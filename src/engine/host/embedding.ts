// Embeddings through an embedding context: texts longer than the context are cut to fit (and
// reported), vectors are L2-normalized so that a dot product is a cosine.
import type { Token } from 'node-llama-cpp';
import type { EmbedResult } from '../protocol';
import type { ModelSlot } from './modelSlot';

export function l2normalize(v: readonly number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : v.map(() => 0);
}

export async function runEmbed(slot: ModelSlot, texts: string[], signal: AbortSignal): Promise<EmbedResult> {
  const ctx = slot.embedding;
  if (!ctx) throw new Error('This model was loaded for generation; load it with purpose "embed" for embeddings.');
  // Leave room for the BOS/EOS tokens the embedding context adds around the input.
  const limit = Math.max(1, slot.info.contextSize - 2);
  const out: EmbedResult = { dimension: slot.info.embeddingDimension, vectors: [], truncated: [], tokens: [] };
  for (const text of texts) {
    signal.throwIfAborted();
    let tokens: Token[] = slot.model.tokenize(text);
    const cut = tokens.length > limit;
    if (cut) tokens = tokens.slice(0, limit);
    const e = await ctx.getEmbeddingFor(tokens);
    out.vectors.push(l2normalize(e.vector));
    out.truncated.push(cut);
    out.tokens.push(tokens.length);
  }
  if (out.vectors.length > 0) out.dimension = out.vectors[0].length;
  return out;
}
