// Embeds every chunk text that has no vector for the chosen model, in batches. There is no
// separate job state: "what is left" is always "chunks without a vector for this model", so a
// backfill that was killed, cancelled or interrupted by a restart simply continues where the
// database says it stopped, and each batch is committed in one transaction (all or nothing).
import { VectorError } from '../../vault/vectors/quantize';
import type { Embedder } from '../../vault/embeddings/embedder';
import type { EmbeddingStore, PendingChunk } from '../../vault/embeddings/embeddingStore';

export type BackfillState = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'failed';

export interface BackfillProgress {
  state: BackfillState;
  /** Chunk texts embedded by this run. */
  done: number;
  /** done + what was missing when counted (grows if chunks are added meanwhile). */
  total: number;
  /** Texts the model failed on in this run (skipped, retried by the next run). */
  failed: number;
}

export interface BackfillOptions {
  /** Texts per embed call and per transaction (default 16). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?(p: BackfillProgress): void;
}

export interface BackfillResult extends BackfillProgress {
  failures: { chunkHash: string; error: string }[];
}

function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (err instanceof Error && err.name === 'AbortError');
}

export class BackfillJob {
  private state: BackfillState = 'idle';
  private done = 0;
  private total = 0;
  private readonly failures: { chunkHash: string; error: string }[] = [];
  private readonly failedHashes = new Set<string>();
  private resumeWaiter: (() => void) | undefined;
  private pauseRequested = false;
  private readonly controller = new AbortController();
  private readonly batchSize: number;

  constructor(
    private readonly store: EmbeddingStore,
    private readonly embedder: Embedder,
    private readonly opts: BackfillOptions = {},
  ) {
    this.batchSize = Math.max(1, opts.batchSize ?? 16);
    if (opts.signal) {
      if (opts.signal.aborted) this.controller.abort(opts.signal.reason);
      else opts.signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  get progress(): BackfillProgress {
    return { state: this.state, done: this.done, total: this.total, failed: this.failures.length };
  }

  /** Stops after the batch in flight is stored; `resume()` continues. */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    const w = this.resumeWaiter;
    this.resumeWaiter = undefined;
    w?.();
  }

  /** Aborts the embed call in flight; what was stored stays stored. */
  cancel(): void {
    this.controller.abort(new Error('Backfill cancelled.'));
    this.resume();
  }

  async run(): Promise<BackfillResult> {
    if (this.state !== 'idle') throw new Error('A backfill job runs once; create a new one to run again.');
    const model = this.embedder.modelKey;
    const stored = this.store.dimensionOf(model);
    if (stored !== undefined && stored !== this.embedder.dimension) {
      this.state = 'failed';
      throw new VectorError(`The vault holds ${stored}-dimensional vectors for model ${model}, but the model now gives ${this.embedder.dimension}: refusing to mix them.`);
    }
    // The model backfilled is the vault's active one: its coverage is what the vault reports.
    this.store.setActiveModel(model);
    this.total = this.store.missingCount(model);
    this.setState('running');
    const signal = this.controller.signal;
    try {
      // One pass walks the chunks in id order; a second pass from the start catches chunks
      // added behind the cursor while we ran. It ends when a pass finds nothing new to do.
      let cursor = 0;
      let progressedThisPass = false;
      for (;;) {
        if (signal.aborted) break;
        if (this.pauseRequested) await this.waitWhilePaused();
        if (signal.aborted) break;
        const batch = this.nextBatch(model, cursor);
        if (batch.rows.length === 0) {
          if (cursor === 0 || !progressedThisPass) break;
          cursor = 0;
          progressedThisPass = false;
          continue;
        }
        cursor = batch.lastId;
        if (batch.unique.length === 0) continue;
        progressedThisPass = true;
        await this.embedBatch(model, batch.unique, signal);
      }
      this.setState(signal.aborted ? 'cancelled' : 'done');
    } catch (err) {
      if (isAbort(err, signal)) this.setState('cancelled');
      else {
        this.setState('failed');
        throw err;
      }
    }
    return { ...this.progress, failures: [...this.failures] };
  }

  private nextBatch(model: string, cursor: number): { rows: PendingChunk[]; unique: PendingChunk[]; lastId: number } {
    const rows = this.store.pending(model, cursor, this.batchSize);
    const seen = new Set<string>();
    const unique: PendingChunk[] = [];
    for (const r of rows) {
      if (seen.has(r.chunkHash) || this.failedHashes.has(r.chunkHash)) continue;
      seen.add(r.chunkHash);
      unique.push(r);
    }
    return { rows, unique, lastId: rows.length > 0 ? rows[rows.length - 1]!.chunkId : cursor };
  }

  private async embedBatch(model: string, batch: PendingChunk[], signal: AbortSignal): Promise<void> {
    let results;
    try {
      results = await this.embedder.embed(batch.map((b) => b.text), signal);
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      // One bad text must not sink its batch: retry one by one and skip the ones that fail.
      if (batch.length > 1) {
        for (const one of batch) await this.embedBatch(model, [one], signal);
        return;
      }
      this.failedHashes.add(batch[0]!.chunkHash);
      this.failures.push({ chunkHash: batch[0]!.chunkHash, error: err instanceof Error ? err.message : String(err) });
      this.emit();
      return;
    }
    if (results.length !== batch.length) throw new Error(`The embedding model returned ${results.length} vectors for ${batch.length} texts.`);
    // Stored even when cancelled meanwhile: the work is done and the vectors are valid.
    this.store.put(
      model,
      batch.map((b, i) => ({ chunkHash: b.chunkHash, vector: results[i]!.vector, truncated: results[i]!.truncated ?? false })),
    );
    this.done += batch.length;
    if (this.done + this.failures.length > this.total) this.total = this.done + this.failures.length;
    this.emit();
  }

  private waitWhilePaused(): Promise<void> {
    this.setState('paused');
    return new Promise<void>((resolve) => {
      this.resumeWaiter = () => {
        if (!this.controller.signal.aborted) this.setState('running');
        resolve();
      };
      if (!this.pauseRequested) this.resume();
    });
  }

  private setState(s: BackfillState): void {
    this.state = s;
    this.emit();
  }

  private emit(): void {
    this.opts.onProgress?.(this.progress);
  }
}
