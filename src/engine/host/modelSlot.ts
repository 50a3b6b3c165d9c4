// One loaded model in the engine: the LlamaModel, its context (generation) or embedding context,
// and a fair queue of requests waiting for a free sequence. Every generate request gets a
// sequence of its own, disposed when it ends, so concurrent requests can never mix state;
// requests beyond the context's sequences wait their turn in arrival order.
import type { ChatWrapper, GgufInsights, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import type { LoadedModel, SamplingOptions } from '../protocol';

export class CancelledWhileQueued extends Error {
  constructor() {
    super('Cancelled while waiting for a free sequence.');
    this.name = 'CancelledWhileQueued';
  }
}

export class ModelSlot {
  lastUsed = Date.now();
  active = 0;
  /** What the last generation asked for (reported with the memory figures). */
  lastSampling: SamplingOptions | null = null;
  private readonly waiters: Array<{ resolve: (s: LlamaContextSequence) => void; reject: (e: Error) => void; signal?: AbortSignal; onAbort: () => void }> = [];

  constructor(
    readonly info: LoadedModel,
    readonly model: LlamaModel,
    readonly insights: GgufInsights,
    readonly context: LlamaContext | null,
    readonly embedding: LlamaEmbeddingContext | null,
    readonly chatWrapper: ChatWrapper | null,
  ) {}

  get id(): string {
    return this.info.modelId;
  }

  get busy(): boolean {
    return this.active > 0;
  }

  /** Marks an operation as running (idle unload skips busy models). */
  begin(): void {
    this.active++;
    this.lastUsed = Date.now();
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
    this.lastUsed = Date.now();
  }

  acquireSequence(signal?: AbortSignal): Promise<LlamaContextSequence> {
    const ctx = this.context;
    if (!ctx) return Promise.reject(new Error('This model was loaded for embeddings, not generation.'));
    if (signal?.aborted) return Promise.reject(new CancelledWhileQueued());
    if (ctx.sequencesLeft > 0 && this.waiters.length === 0) return Promise.resolve(ctx.getSequence());
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(w);
          if (i !== -1) this.waiters.splice(i, 1);
          reject(new CancelledWhileQueued());
        },
      };
      signal?.addEventListener('abort', w.onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  /** Frees the sequence at once and hands the slot to the next waiter. */
  async releaseSequence(seq: LlamaContextSequence): Promise<void> {
    if (!seq.disposed) seq.dispose();
    const ctx = this.context;
    while (ctx && !ctx.disposed && ctx.sequencesLeft > 0 && this.waiters.length > 0) {
      const w = this.waiters.shift();
      if (!w) break;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(ctx.getSequence());
    }
  }

  /** Disposes in order: waiters refused, then contexts, then the model. */
  async dispose(reason: string): Promise<void> {
    for (const w of this.waiters.splice(0)) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.reject(new Error(reason));
    }
    if (this.embedding && !this.embedding.disposed) await this.embedding.dispose();
    if (this.context && !this.context.disposed) await this.context.dispose();
    if (!this.model.disposed) await this.model.dispose();
  }
}
