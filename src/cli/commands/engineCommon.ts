// What the engine commands (generate, embed, models inspect) share: the state database that
// holds the verification gate's hash records, an EngineClient configured from the flags, and
// engine log lines sent to stderr (stdout stays for results).
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError, intOption } from '../args';
import type { CliIo } from '../command';
import { EngineClient } from '../../engine/client/engineClient';
import type { GpuSetting } from '../../engine/protocol';
import { addLocalModel } from '../../engine/verify/verifyModelFile';
import { migrate } from '../../vault/db/migrations';
import { SqliteDatabase, SqliteError } from '../../vault/db/sqlite';
import { ModelRecords } from '../../app/models/modelRecords';
import type { ModelRecord, ModelRecordStore } from '../../engine/verify/modelRecordStore';

/** $CODEX_VAULT_HOME/state.db, else ~/.codex-vault/state.db. */
export function defaultStateDb(): string {
  return resolve(process.env.CODEX_VAULT_HOME || join(homedir(), '.codex-vault'), 'state.db');
}

export const engineOptionSpec = {
  model: { type: 'string' },
  db: { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const engineOptionHelp = `  --model <file>     The GGUF model. Naming it here adds it as a local model (its SHA-256 is
                     recorded, once per size/mtime) so that the verification gate lets it load.
  --db <file>        The database holding model hash records (default $CODEX_VAULT_HOME/state.db,
                     else ~/.codex-vault/state.db). A vault database works too.
  --threads <n>      Threads for evaluation (default: one per free core; 1 for tiny models).
  --gpu auto|cpu     auto uses CUDA/Vulkan/Metal when present, else the CPU (default auto).
  --context <n>      Context size in tokens (default: the model's, at most 4096).`;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Several CLI processes may share the state database (e.g. two `generate` runs at once), and
 * SQLite's WASM file lock does not wait: a statement that meets another process's lock fails at
 * once. Each statement here holds the lock for microseconds, so it is retried for a few seconds.
 */
export function retryLocked<T>(fn: () => T): T {
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof SqliteError) || err.code !== 'locked' || attempt >= 200) throw err;
      Atomics.wait(sleeper, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

class RetryingRecords implements ModelRecordStore {
  constructor(private readonly inner: ModelRecords) {}
  get(path: string): ModelRecord | undefined {
    return retryLocked(() => this.inner.get(path));
  }
  put(record: ModelRecord): void {
    retryLocked(() => this.inner.put(record));
  }
  markMismatch(path: string, sha256: string, size: number, mtimeMs: number): void {
    retryLocked(() => this.inner.markMismatch(path, sha256, size, mtimeMs));
  }
}

export interface EngineSession {
  engine: EngineClient;
  records: ModelRecordStore;
  close(): Promise<void>;
}

export interface EngineFlags {
  db?: string;
  threads?: string;
  gpu?: string;
}

export function gpuOption(v: string | undefined): GpuSetting {
  if (v === undefined || v === 'auto') return 'auto';
  if (v === 'cpu') return 'cpu';
  throw new UsageError(`--gpu must be "auto" or "cpu", got "${v}".`);
}

/** Opens the state database and an engine client; close() disposes both. */
export function openEngineSession(flags: EngineFlags, io: CliIo): EngineSession {
  const threads = flags.threads === undefined ? undefined : intOption(flags.threads, 'threads', 1, 1, 1024);
  const gpu = gpuOption(flags.gpu);
  const file = resolve(flags.db ?? defaultStateDb());
  if (!flags.db) mkdirSync(dirname(file), { recursive: true });
  const db = retryLocked(() => SqliteDatabase.open(file));
  try {
    retryLocked(() => migrate(db));
  } catch (err) {
    db.close();
    throw err;
  }
  const records = new RetryingRecords(new ModelRecords(db));
  const engine = new EngineClient({ records, settings: { threads, gpu, idleUnloadMs: 0, lowMemoryWatermarkBytes: 0, memoryEventIntervalMs: 0 } });
  engine.onEvent((e) => {
    if (e.type === 'log' && (e.level === 'error' || e.level === 'warn' || process.env.CODEX_VAULT_DEBUG)) io.err.write(`engine: ${e.message}\n`);
  });
  return {
    engine,
    records,
    async close() {
      await engine.dispose();
      db.close();
    },
  };
}

/** `--model <file>` on the command line counts as adding the file as a local model. */
export async function addModelFromFlag(s: EngineSession, file: string, signal: AbortSignal): Promise<string> {
  const abs = resolve(file);
  await addLocalModel(s.records, abs, { signal });
  return abs;
}
