// The engine as the vault's Embedder and ask()'s AnswerModel, over whatever engine client the
// caller built (the worker's composition root, the CLI, tests).
import type { Engine, ModelHandle } from './engine';
import type { Embedder, EmbeddingResult } from '../../vault/embeddings/embedder';
import type { AnswerGeneration, AnswerModel, PromptMessage } from '../ask/answerModel';

function abortError(signal: AbortSignal): Error {
  const e = signal.reason instanceof Error ? signal.reason : new Error('Aborted.');
  if (e.name !== 'AbortError') e.name = 'AbortError';
  return e;
}

/** `modelKey` is the model file's sha256 (from the model records), so a moved file keeps its vectors. */
export function engineEmbedder(engine: Pick<Engine, 'embed'>, handle: ModelHandle, modelKey: string): Embedder {
  return {
    modelKey,
    dimension: handle.info.embeddingDimension,
    async embed(texts: readonly string[], signal?: AbortSignal): Promise<EmbeddingResult[]> {
      if (signal?.aborted) throw abortError(signal);
      const r = await engine.embed(handle, [...texts]);
      if (signal?.aborted) throw abortError(signal);
      return r.vectors.map((v, i) => ({ vector: v, truncated: r.truncated[i] ?? false }));
    },
  };
}

export function engineAnswerModel(engine: Pick<Engine, 'chat' | 'countTokens'>, handle: ModelHandle): AnswerModel {
  return {
    contextSize: handle.info.contextSize,
    countTokens: (texts: string[]) => engine.countTokens(handle, texts),
    async chat(messages: PromptMessage[], opts): Promise<AnswerGeneration> {
      // Stopped while the prompt was being fitted: no generation to start.
      if (opts.signal?.aborted) return { text: '', promptTokens: 0, stopReason: 'cancelled', truncated: false };
      const { maxTokens, temperature, topP, topK, repeatPenalty, seed, signal, onText, grammar } = opts;
      // Only what was given: a sampling option left out keeps the engine's default.
      const sampling = Object.fromEntries(Object.entries({ temperature, topP, topK, repeatPenalty, seed }).filter(([, v]) => v !== undefined));
      const stream = engine.chat(handle, messages, { maxTokens, ...sampling, signal, onText, ...(grammar === undefined ? {} : { grammar }) });
      const r = await stream.result;
      return { text: r.text, promptTokens: r.promptTokens, stopReason: r.stopReason, truncated: r.truncated !== null, tokens: r.tokens, tokensPerSecond: r.tokensPerSecond, timeToFirstTokenMs: r.timeToFirstTokenMs };
    },
  };
}
