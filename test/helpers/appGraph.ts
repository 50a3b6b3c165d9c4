// The worker's object graph (src/worker/compose.ts) over a test's own database, with its events
// recorded: tests use the same composition root as the vault worker, not services built by hand.
import type { AppEvent, AppTopic } from '../../src/app/events';
import type { ModelsConfig } from '../../src/app/models/modelsTypes';
import { composeApp, type AppGraph, type ComposeOptions } from '../../src/worker/compose';
import type { SqliteDatabase } from '../../src/vault/db/sqlite';

export interface TestApp extends AppGraph {
  /** Every event the services emitted, in order. */
  readonly events: AppEvent[];
  /** Calls `listener` with every event from now on, as it is emitted; returns the unsubscribe function. */
  listen(listener: (e: AppEvent) => void): () => void;
  /** Resolves with the first event (from now on) that `match` accepts. */
  next<T extends AppTopic>(topic: T, match?: (e: Extract<AppEvent, { topic: T }>) => boolean, timeoutMs?: number): Promise<Extract<AppEvent, { topic: T }>>;
}

/** Settings for the models service: a models folder, the tiny model's context, one thread, CPU. */
export function testModelsConfig(modelsDir: string, extra: Partial<ModelsConfig> = {}): ModelsConfig {
  return { modelsDir, contextSize: 1024, threads: 1, gpu: 'cpu', idleUnloadMs: 0, lowMemoryWatermarkBytes: 0, ...extra };
}

export function composeTestApp(db: SqliteDatabase, opts: { topics?: AppTopic[]; engine?: ComposeOptions['engine'] } = {}): TestApp {
  const events: AppEvent[] = [];
  const waiters = new Set<(e: AppEvent) => void>();
  const topics = new Set<AppTopic>(opts.topics ?? ['answer', 'embeddings', 'models']);
  const app = composeApp(db, {
    events: {
      emit: (e) => {
        events.push(e);
        for (const w of [...waiters]) w(e);
      },
      wants: (t) => topics.has(t),
    },
    ...(opts.engine ? { engine: opts.engine } : {}),
  });
  return {
    ...app,
    events,
    listen(listener) {
      waiters.add(listener);
      return () => waiters.delete(listener);
    },
    next(topic, match, timeoutMs = 60_000) {
      type E = Extract<AppEvent, { topic: typeof topic }>;
      return new Promise<E>((resolve, reject) => {
        const timer = setTimeout(() => { waiters.delete(w); reject(new Error(`no matching ${topic} event within ${timeoutMs} ms`)); }, timeoutMs);
        const w = (e: AppEvent): void => {
          if (e.topic !== topic || (match && !match(e as E))) return;
          clearTimeout(timer);
          waiters.delete(w);
          resolve(e as E);
        };
        waiters.add(w);
      });
    },
  };
}
