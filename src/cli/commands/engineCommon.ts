// What the engine commands (generate, embed, models inspect) share: the state database that
// holds the verification gate's hash records, an EngineClient configured from the flags, and
// engine log lines sent to stderr (stdout stays for results).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { safeMessage } from '../../common/untrustedText';
import { UsageError, intOption } from '../args';
import type { CliIo } from '../command';
import { EngineClient } from '../../engine/client/engineClient';
import type { GpuSetting } from '../../engine/protocol';
import { addLocalModel } from '../../engine/verify/verifyModelFile';
import { SharedModelRecords } from '../../app/models/sharedModelRecords';

/** $CODEX_VAULT_HOME/state.db, else ~/.codex-vault/state.db. */
export function defaultStateDb(): string {
  return resolve(process.env.CODEX_VAULT_HOME || join(homedir(), '.codex-vault'), 'state.db');
}

/** The model records of the CLI's state database (or of the database --db names). */
export function stateRecords(db: string | undefined): SharedModelRecords {
  return new SharedModelRecords(resolve(db ?? defaultStateDb()), { create: true, what: db ? 'database' : 'state database' });
}

export const engineOptionSpec = {
  model: { type: 'string' },
  db: { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string' },
  context: { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export const engineOptionHelp = `  --model <file>     The GGUF model. Naming it here adds it as a local model (its SHA-256 is
                     recorded, once per size/mtime) so that the verification gate lets it load.
  --db <file>        The database holding model hash records (default $CODEX_VAULT_HOME/state.db,
                     else ~/.codex-vault/state.db). A vault database works too.
  --threads <n>      Threads for evaluation (default: one per free core; 1 for tiny models).
  --gpu auto|cpu     auto uses CUDA/Vulkan/Metal when present, else the CPU (default auto).
  --context <n>      Context size in tokens (default: the model's, at most 4096).
  --verbose          Also print llama.cpp's own log lines (on stderr).`;

export interface EngineSession {
  engine: EngineClient;
  records: SharedModelRecords;
  close(): Promise<void>;
}

export interface EngineFlags {
  db?: string;
  verbose?: boolean;
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
  // Several CLI processes share the state database (two `generate` runs at once): each record is
  // read or written in its own short open, which waits for another process's (SharedModelRecords).
  const records = stateRecords(flags.db);
  const engine = new EngineClient({ records, settings: { threads, gpu, idleUnloadMs: 0, lowMemoryWatermarkBytes: 0, memoryEventIntervalMs: 0 } });
  // llama.cpp's own lines (repeated per load attempt, and summed up in the error a failed load
  // gets) only with --verbose; the engine's warnings always. Both may quote the model file: escaped.
  const verbose = flags.verbose || Boolean(process.env.CODEX_VAULT_DEBUG);
  engine.onEvent((e) => {
    if (e.type !== 'log') return;
    if (e.source === 'native' ? verbose : e.level === 'error' || e.level === 'warn' || verbose) io.err.write(`engine: ${safeMessage(e.message, 4000)}\n`);
  });
  return {
    engine,
    records,
    async close() {
      await engine.dispose();
    },
  };
}

/** `--model <file>` on the command line counts as adding the file as a local model. */
export async function addModelFromFlag(s: EngineSession, file: string, signal: AbortSignal): Promise<string> {
  const abs = resolve(file);
  await addLocalModel(s.records, abs, { signal });
  return abs;
}
