// The embedding backfill as a vault worker service ('embeddings'): embeds, in the background, every
// chunk that has no vector for the chosen embedding model, with the BackfillJob over the model's
// handle from the models service. It runs as a task inside the worker that awaits between batches,
// so the worker keeps answering searches and live updates while it works; every change of its state
// is reported as an 'embeddings' event. Nothing is kept outside the database: what is left to do is
// always "chunks without a vector for this model", so a restart, a cancel or a crash just continues.
import { basename } from 'node:path';
import type { SqliteDatabase } from '../../vault/db/sqlite';
import type { Embedder } from '../../vault/embeddings/embedder';
import { EmbeddingStore, type Coverage } from '../../vault/embeddings/embeddingStore';
import type { ModelHandles } from '../chat/chatService';
import type { Engine } from '../engine/engine';
import { engineEmbedder } from '../engine/engineAdapters';
import type { AppEvents } from '../events';
import type { ModelRecords } from '../models/modelRecords';
import { BackfillJob } from './backfill';
import { NO_MODEL_MESSAGE, type EmbeddingsStartRequest, type EmbeddingsState, type EmbeddingsStatus } from './embeddingsTypes';

export interface EmbeddingsDeps {
  models: ModelHandles;
  engine: Pick<Engine, 'embed'>;
  records: ModelRecords;
  events: AppEvents;
}

const DEFAULT_BATCH = 16;
/** Coverage is a count over every chunk: during a run it is recounted at most this often. */
const COVERAGE_TTL_MS = 1000;

interface Run {
  model: string;
  rebuild: boolean;
  batchSize: number;
  abort: AbortController;
  /** Chunks were added while this run worked: look for more when it ends. */
  again: boolean;
  promise: Promise<void>;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  const e = reason instanceof Error ? reason : new Error('Embedding cancelled.');
  e.name = 'AbortError';
  return e;
}

function percent(c: Coverage): string {
  return `${Math.floor(c.ratio * 1000) / 10}%`;
}

/** The vault `settings` key that remembers a paused backfill's model across restarts. */
const PAUSED_KEY = 'embeddings.pausedModel';

export class EmbeddingsService {
  private readonly store: EmbeddingStore;
  private run: Run | undefined;
  private last: EmbeddingsStartRequest | undefined;
  private paused = false;
  private readonly gateWaiters: (() => void)[] = [];
  private state: EmbeddingsState = 'idle';
  private model: string | null = null;
  private modelKey: string | null = null;
  private done = 0;
  private total = 0;
  private failed = 0;
  private error: string | null = null;
  private message = NO_MODEL_MESSAGE;
  private version = 1;
  private coverageCache: { key: string; at: number; value: Coverage } | undefined;

  constructor(private readonly db: SqliteDatabase, private readonly deps: EmbeddingsDeps) {
    this.store = new EmbeddingStore(db);
  }

  /**
   * Starts (or continues) the backfill for `model`. Returns at once; the work goes on in the
   * background. Asking again for the model being embedded only makes it look for new chunks when
   * it ends (live updates call this after each change); another model cancels the running one.
   */
  start(req: EmbeddingsStartRequest): EmbeddingsStatus {
    const model = typeof req?.model === 'string' ? req.model.trim() : '';
    const batchSize = Number.isInteger(req?.batchSize) && (req.batchSize ?? 0) > 0 ? req.batchSize! : DEFAULT_BATCH;
    if (!model) {
      this.last = undefined;
      this.stopRun();
      this.setPaused(false);
      this.set({ state: 'idle', model: null, modelKey: null, done: 0, total: 0, failed: 0, error: null, message: NO_MODEL_MESSAGE });
      return this.status();
    }
    const current = this.run;
    if (current && !current.abort.signal.aborted && current.model === model && !req.rebuild) {
      current.again = true;
      return this.status();
    }
    // A new model or a rebuild is the user's explicit wish: it runs even if the last one was paused.
    // The first start in this process (after a restart or a crash) stays paused when the user had
    // paused this model's backfill: a pause is a choice, not state to lose with the window.
    if (!current) this.setPaused(!req.rebuild && this.pausedModel() === model, model);
    else if (current.model !== model || req.rebuild) this.setPaused(false);
    this.last = { model, batchSize };
    this.stopRun();
    const run: Run = { model, rebuild: req.rebuild === true, batchSize, abort: new AbortController(), again: false, promise: Promise.resolve() };
    this.run = run;
    const before = current?.promise ?? Promise.resolve();
    // One run at a time: the next starts when the cancelled one has let go of its batch.
    run.promise = before.catch(() => undefined).then(() => this.execute(run));
    this.set({
      state: this.paused ? 'paused' : 'running', model, modelKey: null, done: 0, total: 0, failed: 0, error: null,
      message: `Loading the embedding model ${basename(model)}…`,
    });
    return this.status();
  }

  /** Holds the backfill before its next batch (the batch in flight is still stored). */
  pause(): EmbeddingsStatus {
    if (this.run && !this.run.abort.signal.aborted && !this.paused) {
      this.setPaused(true, this.run.model);
      this.set({ state: 'paused', message: 'Embedding paused: full-text search works meanwhile; resume to continue.' });
    }
    return this.status();
  }

  /** Continues a paused backfill, or starts the last one again after a cancel or an error. */
  resume(): EmbeddingsStatus {
    if (this.run && !this.run.abort.signal.aborted) {
      if (this.paused) {
        this.setPaused(false);
        for (const w of this.gateWaiters.splice(0)) w();
        this.set({ state: 'running', message: this.progressMessage() });
      }
      return this.status();
    }
    this.setPaused(false);
    return this.last ? this.start(this.last) : this.status();
  }

  /** Stops the backfill; what was embedded stays, and the next start continues from there. */
  cancel(): EmbeddingsStatus {
    if (this.run && !this.run.abort.signal.aborted) {
      this.stopRun();
      this.setPaused(false);
      this.set({ state: 'idle', message: 'Embedding cancelled: what was embedded is kept; resume to continue.' });
    }
    return this.status();
  }

  /** Pauses or unpauses, and records it in the vault so that a restart keeps a pause. */
  private setPaused(paused: boolean, model?: string): void {
    this.paused = paused;
    if (paused && model) this.db.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [PAUSED_KEY, JSON.stringify(model)]);
    else if (!paused) this.db.run('DELETE FROM settings WHERE key = ?', [PAUSED_KEY]);
  }

  /** The model whose backfill the user paused, as recorded in the vault (undefined: none). */
  private pausedModel(): string | undefined {
    const row = this.db.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [PAUSED_KEY]);
    try {
      const v: unknown = row ? JSON.parse(row.value) : undefined;
      return typeof v === 'string' ? v : undefined;
    } catch {
      return undefined; // a damaged record is no pause
    }
  }

  /** The backfill's state, with the chosen model's coverage counted now. */
  status(): EmbeddingsStatus {
    return {
      state: this.state, model: this.model, modelKey: this.modelKey, done: this.done, total: this.total, failed: this.failed,
      coverage: this.coverage(), error: this.error, message: this.message, version: this.version,
    };
  }

  private coverage(): Coverage | null {
    const key = this.modelKey;
    if (!key) return null;
    const c = this.coverageCache;
    const busy = this.state === 'running' || this.state === 'paused';
    if (busy && c && c.key === key && performance.now() - c.at < COVERAGE_TTL_MS) return c.value;
    const value = this.store.coverage(key);
    this.coverageCache = { key, at: performance.now(), value };
    return value;
  }

  /** Stops the backfill and resolves once its batch in flight is stored. */
  async dispose(): Promise<void> {
    const run = this.run;
    this.stopRun();
    await run?.promise.catch(() => undefined);
  }

  private stopRun(): void {
    const run = this.run;
    if (!run || run.abort.signal.aborted) return;
    run.abort.abort(new Error('Embedding cancelled.'));
    // A run held at the pause gate sees the abort there.
    for (const w of this.gateWaiters.splice(0)) w();
  }

  private async execute(run: Run): Promise<void> {
    const signal = run.abort.signal;
    const mine = (): boolean => this.run === run && !signal.aborted;
    try {
      if (signal.aborted) return;
      // The models service's load path: verification gate, the Models view shows it as loaded.
      const handle = await this.deps.models.handle(run.model, 'embed');
      if (signal.aborted) return;
      const key = this.deps.records.get(handle.file)?.sha256;
      if (!key) throw new Error(`${basename(handle.file)} has no recorded SHA-256: add or verify it in the Models view first.`);
      if (run.rebuild) this.store.deleteModel(key);
      // Vectors of chunk texts no note has any more (edited or deleted since) go first.
      this.store.collectGarbage();
      this.set({ modelKey: key, message: this.paused ? 'Embedding paused.' : 'Embedding chunks…' });
      const inner = engineEmbedder(this.deps.engine, handle, key);
      const embedder: Embedder = {
        modelKey: key,
        dimension: inner.dimension,
        embed: async (texts, s) => {
          await this.gate(run, s);
          return inner.embed(texts, s);
        },
      };
      let base = { done: 0, failed: 0 };
      do {
        run.again = false;
        const job = new BackfillJob(this.store, embedder, {
          batchSize: run.batchSize,
          signal,
          onProgress: (p) => {
            if (!mine()) return;
            this.set({ done: base.done + p.done, total: base.done + base.failed + p.total, failed: base.failed + p.failed, message: this.progressMessage() });
          },
        });
        const r = await job.run();
        base = { done: base.done + r.done, failed: base.failed + r.failed };
        if (r.state === 'cancelled') break;
      } while (run.again && !signal.aborted);
      if (!mine()) return;
      this.store.collectGarbage();
      const c = this.store.coverage(key);
      this.set({
        state: 'done', done: base.done, total: base.done + base.failed, failed: base.failed,
        message: `${percent(c)} of chunks embedded (${c.embedded} of ${c.total})${base.failed > 0 ? `; ${base.failed} failed and will be retried` : ''}.`,
      });
    } catch (err) {
      if (!mine()) return;
      const text = err instanceof Error ? err.message : String(err);
      this.set({ state: 'error', error: text, message: `Embedding stopped: ${text} Full-text search still works.` });
    } finally {
      if (this.run === run && signal.aborted) this.run = undefined;
      if (this.run === run && this.state !== 'running' && this.state !== 'paused') this.run = undefined;
    }
  }

  /** Before each batch: yield to the worker's queued requests, then wait while paused. */
  private async gate(run: Run, signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.paused && this.run === run && !run.abort.signal.aborted && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.gateWaiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
    if (signal?.aborted || run.abort.signal.aborted) throw abortError(signal ?? run.abort.signal);
  }

  private progressMessage(): string {
    return this.total > 0 ? `Embedding chunks: ${this.done} of ${this.total}.` : 'Embedding chunks…';
  }

  private set(patch: Partial<Omit<EmbeddingsStatus, 'coverage' | 'version'>>): void {
    if (patch.state !== undefined) this.state = patch.state;
    if (patch.model !== undefined) this.model = patch.model;
    if (patch.modelKey !== undefined) this.modelKey = patch.modelKey;
    if (patch.done !== undefined) this.done = patch.done;
    if (patch.total !== undefined) this.total = patch.total;
    if (patch.failed !== undefined) this.failed = patch.failed;
    if (patch.error !== undefined) this.error = patch.error;
    if (patch.message !== undefined) this.message = patch.message;
    // A new model, a rebuild or the end of a run: count again rather than show a recent figure.
    if (patch.state !== undefined || patch.modelKey !== undefined) this.coverageCache = undefined;
    // Paused wins over the progress of the batch that was in flight when pause came.
    if (this.paused && this.state === 'running') this.state = 'paused';
    this.version++;
    if (this.deps.events.wants('embeddings')) this.deps.events.emit({ topic: 'embeddings', status: this.status() });
  }
}
