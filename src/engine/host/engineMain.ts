// The engine process: forked by EngineClient, it owns node-llama-cpp (the Llama instance, loaded
// models, their contexts and sequences) and talks to its parent only over the IPC channel with
// the messages of src/engine/protocol.ts. It never writes to stdout. A native fault here kills
// this process only; the client turns that into errors and starts a fresh engine.
import { availableParallelism, freemem } from 'node:os';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Llama, LlamaLogLevel } from 'node-llama-cpp';
import {
  isHostToEngine,
  type EngineEvent,
  type EngineInfo,
  type EngineOp,
  type EngineOps,
  type EngineRequest,
  type EngineResponse,
  type EngineSettings,
  type EngineToHost,
  type LoadOptions,
  type LoadedModel,
  type MemorySnapshot,
} from '../protocol';
import { processAndSystem } from '../memory/memorySnapshot';
import { formatBytes } from '../memory/fit';
import { runEmbed } from './embedding';
import { runChat, runCompletion } from './generation';
import { HostError, toWire } from './hostError';
import { defaultContextSize, estimateMemory, inspectFile } from './inspectModel';
import { ModelSlot } from './modelSlot';
import { NativeLog, isOpaqueNativeFailure } from './nativeLog';
import { loadNodeLlamaCpp } from './nodeLlamaCpp';
import { StreamBatcher } from './streamBatcher';
import { defaultThreads } from './threads';

let settings: EngineSettings | null = null;
let llama: Llama | null = null;
/** The thread count llama was created with (the threads setting, or the default for this machine). */
let maxThreads = 0;
const slots = new Map<string, ModelSlot>();
const gone = new Map<string, string>();
const inflight = new Map<number, AbortController>();
let nextModel = 1;
let housekeeping: NodeJS.Timeout | undefined;
let lastMemoryEvent = 0;
let shuttingDown = false;
const nativeLog = new NativeLog();

function send(m: EngineToHost): void {
  if (process.connected) process.send?.(m);
}

function emit(event: EngineEvent): void {
  send({ kind: 'event', event });
}

function respond<K extends EngineOp>(id: number, op: K, result: EngineOps[K]['result']): void {
  send({ kind: 'response', id, op, ok: true, result } as EngineResponse);
}

function requireLlama(): Llama {
  if (!llama || !settings) throw new HostError('bad-request', 'The engine has not been initialised.');
  return llama;
}

function slotFor(modelId: string): ModelSlot {
  const s = slots.get(modelId);
  if (!s) throw new HostError('unknown-model', gone.get(modelId) ?? `No model ${modelId} is loaded in the engine.`);
  return s;
}

function forwardLog(level: LlamaLogLevel, message: string): void {
  const l = String(level);
  const mapped = l === 'error' || l === 'fatal' ? 'error' : l === 'warn' ? 'warn' : l === 'info' ? 'info' : 'debug';
  if (mapped === 'error' || mapped === 'warn') nativeLog.add(message.trimEnd());
  emit({ type: 'log', level: mapped, message: message.trimEnd(), source: 'native' });
}

/** A load that node-llama-cpp failed with a bare message gets the cause llama.cpp logged instead. */
async function explainLoadFailure(file: string, err: unknown, mark: number): Promise<unknown> {
  if (!isOpaqueNativeFailure(err)) return err;
  // llama.cpp's log lines reach JS through a queued callback that may run after the rejection.
  let causes = nativeLog.causesSince(mark);
  for (let waited = 0; causes.length === 0 && waited < 500; waited += 10) {
    await sleep(10);
    causes = nativeLog.causesSince(mark);
  }
  const what = err instanceof Error ? err.message : String(err);
  return new HostError('load-failed', `Cannot load ${file}: llama.cpp refused it (${causes.length > 0 ? causes.join('; ') : what}).`);
}

async function init(s: EngineSettings): Promise<EngineInfo> {
  if (llama) throw new HostError('bad-request', 'The engine is already initialised.');
  settings = s;
  const nlc = await loadNodeLlamaCpp();
  const ap = availableParallelism();
  maxThreads = s.threads ?? defaultThreads(ap);
  const base = { build: 'never' as const, logLevel: nlc.LlamaLogLevel.error, logger: forwardLog, maxThreads, progressLogs: false };
  if (s.gpu === 'cpu') {
    llama = await nlc.getLlama({ ...base, gpu: false });
  } else {
    try {
      llama = await nlc.getLlama({ ...base, gpu: 'auto' });
    } catch (err) {
      // No usable GPU binary: the CPU build always ships with node-llama-cpp.
      emit({ type: 'log', level: 'warn', message: `GPU backend unavailable (${(err as Error).message}); using the CPU.` });
      llama = await nlc.getLlama({ ...base, gpu: false });
    }
  }
  startHousekeeping();
  return { pid: process.pid, gpu: llama.gpu, threads: maxThreads, availableParallelism: ap, llamaCppRelease: llama.llamaCppRelease.release };
}

async function load(file: string, options: LoadOptions): Promise<LoadedModel> {
  const l = requireLlama();
  const s = settings as EngineSettings;
  const purpose = options.purpose ?? 'generate';
  for (const slot of slots.values()) {
    const i = slot.info;
    if (i.file === file && i.purpose === purpose && (options.contextSize === undefined || options.contextSize === i.contextSize) && (options.sequences ?? 1) === i.sequences && (options.threads === undefined || options.threads === i.threads)) {
      slot.lastUsed = Date.now();
      return i;
    }
  }
  emit({ type: 'log', level: 'debug', message: `Loading ${file} (${purpose}).` });
  const mark = nativeLog.mark();
  try {
    return await loadChecked(l, s, file, options, purpose);
  } catch (err) {
    throw await explainLoadFailure(file, err, mark);
  }
}

async function loadChecked(l: Llama, s: EngineSettings, file: string, options: LoadOptions, purpose: 'generate' | 'embed'): Promise<LoadedModel> {
  const { inspection, insights } = await inspectFile(l, file, { contextSize: options.contextSize, budget: s.memoryBudgetBytes, gpu: l.gpu !== false });
  if (!inspection.fit.fits) throw new HostError('insufficient-memory', `Cannot load ${file}: ${inspection.fit.message ?? 'it does not fit in memory.'}`);
  const nlc = await loadNodeLlamaCpp();
  const threads = options.threads ?? s.threads ?? defaultThreads(availableParallelism(), insights.totalParameters);
  let model;
  try {
    model = await l.loadModel({ modelPath: file, gpuLayers: l.gpu === false ? 0 : 'auto' });
  } catch (err) {
    if (l.gpu === false) throw err;
    // The GPU could not take it (e.g. not enough VRAM): the CPU is the fallback.
    emit({ type: 'log', level: 'warn', message: `Loading ${file} on the GPU failed (${(err as Error).message}); loading it on the CPU.` });
    model = await l.loadModel({ modelPath: file, gpuLayers: 0 });
  }
  try {
    const contextSize = options.contextSize ?? defaultContextSize(model.trainContextSize);
    const sequences = Math.max(1, options.sequences ?? 1);
    let slot: ModelSlot;
    const base = {
      modelId: `m${nextModel++}`,
      file,
      purpose,
      trainContextSize: model.trainContextSize,
      embeddingDimension: model.embeddingVectorSize,
      vocabularySize: inspection.gguf.vocabularySize ?? 0,
      gpu: l.gpu,
      gpuLayers: model.gpuLayers,
      threads,
      fileSize: (await stat(file)).size,
      estimate: await estimateMemory(insights, contextSize, model.gpuLayers, sequences, purpose === 'embed'),
    };
    if (purpose === 'embed') {
      const emb = await model.createEmbeddingContext({ contextSize, threads });
      slot = new ModelSlot({ ...base, contextSize, sequences: 1, chatWrapper: null }, model, insights, null, emb, null);
    } else {
      const ctx = await model.createContext({ contextSize, sequences, threads });
      let wrapper;
      try {
        wrapper = nlc.resolveChatWrapper(model);
      } catch {
        wrapper = new nlc.GeneralChatWrapper();
      }
      slot = new ModelSlot({ ...base, contextSize: ctx.contextSize, sequences, chatWrapper: wrapper.wrapperName }, model, insights, ctx, null, wrapper);
    }
    slots.set(slot.id, slot);
    return slot.info;
  } catch (err) {
    await model.dispose();
    throw err;
  }
}

async function unload(modelId: string, reason: string): Promise<boolean> {
  const slot = slots.get(modelId);
  if (!slot) return false;
  slots.delete(modelId);
  gone.set(modelId, reason);
  await slot.dispose(reason);
  return true;
}

async function memory(): Promise<MemorySnapshot> {
  const now = Date.now();
  const l = llama;
  const vram = l && l.gpu !== false ? await l.getVramState() : null;
  return {
    at: now,
    ...processAndSystem(),
    vram: vram ? { total: vram.total, used: vram.used, free: vram.free } : null,
    engine: { settings: { ...(settings as EngineSettings), threads: maxThreads }, gpu: l ? l.gpu : false },
    models: [...slots.values()].map((s) => {
      const mu = s.model.memoryUsage;
      const cu = s.context?.memoryUsage ?? { ram: 0, vram: 0 };
      return {
        modelId: s.id,
        file: s.info.file,
        fileSize: s.info.fileSize,
        contextSize: s.info.contextSize,
        kvCacheBytes: s.info.estimate.contextBytes,
        modelRamBytes: mu.ram,
        contextRamBytes: cu.ram,
        vramBytes: mu.vram + cu.vram,
        busy: s.busy,
        idleMs: s.busy ? 0 : now - s.lastUsed,
        threads: s.info.threads,
        lastSampling: s.lastSampling,
      };
    }),
  };
}

/** Idle unload, the low-memory watermark, and periodic memory events. */
function startHousekeeping(): void {
  const s = settings as EngineSettings;
  const periods = [1000];
  if (s.idleUnloadMs > 0) periods.push(Math.max(50, s.idleUnloadMs / 4));
  if (s.memoryEventIntervalMs > 0) periods.push(s.memoryEventIntervalMs);
  housekeeping = setInterval(() => {
    housekeep().catch((err: unknown) => emit({ type: 'log', level: 'error', message: `Housekeeping failed: ${err instanceof Error ? err.message : String(err)}` }));
  }, Math.min(...periods));
}

let housekeepingRunning = false;

async function housekeep(): Promise<void> {
  // An unload can take longer than the tick: never run two passes at once.
  if (shuttingDown || !settings || housekeepingRunning) return;
  housekeepingRunning = true;
  try {
    await housekeepPass(settings);
  } finally {
    housekeepingRunning = false;
  }
}

async function housekeepPass(settings: EngineSettings): Promise<void> {
  const now = Date.now();
  if (settings.idleUnloadMs > 0) {
    for (const slot of [...slots.values()]) {
      if (!slot.busy && now - slot.lastUsed >= settings.idleUnloadMs) {
        const message = `Unloaded ${slot.info.file} after ${Math.round((now - slot.lastUsed) / 1000)} s without use (idle unload setting: ${Math.round(settings.idleUnloadMs / 1000)} s).`;
        await unload(slot.id, message);
        emit({ type: 'unloaded', modelId: slot.id, file: slot.info.file, reason: 'idle', message });
      }
    }
  }
  if (settings.lowMemoryWatermarkBytes > 0 && freemem() < settings.lowMemoryWatermarkBytes) {
    const idle = [...slots.values()].filter((x) => !x.busy).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const slot of idle) {
      const free = freemem();
      if (free >= settings.lowMemoryWatermarkBytes) break;
      const message = `Free memory fell to ${formatBytes(free)}, under the ${formatBytes(settings.lowMemoryWatermarkBytes)} watermark: unloaded the idle model ${slot.info.file}.`;
      await unload(slot.id, message);
      emit({ type: 'unloaded', modelId: slot.id, file: slot.info.file, reason: 'low-memory', message });
    }
  }
  if (settings.memoryEventIntervalMs > 0 && slots.size > 0 && now - lastMemoryEvent >= settings.memoryEventIntervalMs) {
    lastMemoryEvent = now;
    emit({ type: 'memory', snapshot: await memory() });
  }
}

async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  if (housekeeping) clearInterval(housekeeping);
  for (const ac of inflight.values()) ac.abort();
  // Order matters: sequences/contexts before their model, models before llama.
  for (const id of [...slots.keys()]) await unload(id, 'The engine is shutting down.');
  if (llama && !llama.disposed) await llama.dispose();
  llama = null;
  process.exitCode = code;
}

async function dispatch(req: EngineRequest, signal: AbortSignal): Promise<void> {
  switch (req.op) {
    case 'init':
      return respond(req.id, req.op, await init(req.params));
    case 'configure': {
      const s = settings;
      if (!s) throw new HostError('bad-request', 'The engine has not been initialised.');
      settings = { ...s, ...definedOnly(req.params) };
      if (housekeeping) clearInterval(housekeeping);
      startHousekeeping();
      return respond(req.id, req.op, { ok: true });
    }
    case 'inspect': {
      const l = requireLlama();
      const { inspection } = await inspectFile(l, req.params.file, { contextSize: req.params.contextSize, budget: settings?.memoryBudgetBytes, gpu: l.gpu !== false });
      return respond(req.id, req.op, inspection);
    }
    case 'load':
      return respond(req.id, req.op, await load(req.params.file, req.params.options));
    case 'unload':
      return respond(req.id, req.op, { unloaded: await unload(req.params.modelId, `Model ${req.params.modelId} was unloaded.`) });
    case 'complete':
    case 'chat': {
      const slot = slotFor(req.params.modelId);
      slot.begin();
      slot.lastSampling = { ...req.params.sampling };
      const batcher = new StreamBatcher((text, tokens) => send({ kind: 'stream', id: req.id, text, tokens }), settings?.streamFlushMs ?? 16);
      try {
        const sink = (text: string, tokens: number): void => batcher.push(text, tokens);
        const result = req.op === 'complete' ? await runCompletion(slot, req.params.prompt, req.params.sampling, signal, sink, req.params.grammar) : await runChat(slot, req.params.messages, req.params.sampling, signal, sink, req.params.grammar);
        batcher.flush();
        return respond(req.id, req.op, result);
      } finally {
        batcher.flush();
        slot.end();
      }
    }
    case 'embed': {
      const slot = slotFor(req.params.modelId);
      slot.begin();
      try {
        return respond(req.id, req.op, await runEmbed(slot, req.params.texts, signal));
      } finally {
        slot.end();
      }
    }
    case 'tokenize': {
      const slot = slotFor(req.params.modelId);
      slot.lastUsed = Date.now();
      return respond(req.id, req.op, { tokens: slot.model.tokenize(req.params.text) });
    }
    case 'countTokens': {
      const slot = slotFor(req.params.modelId);
      slot.lastUsed = Date.now();
      return respond(req.id, req.op, { counts: req.params.texts.map((t) => slot.model.tokenize(t).length) });
    }
    case 'memory':
      return respond(req.id, req.op, await memory());
    case 'shutdown':
      await shutdown(0);
      return respond(req.id, req.op, { ok: true });
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function handle(req: EngineRequest): Promise<void> {
  const ac = new AbortController();
  inflight.set(req.id, ac);
  try {
    if (shuttingDown && req.op !== 'shutdown') throw new HostError('disposed', 'The engine is shutting down.');
    await dispatch(req, ac.signal);
  } catch (err) {
    send({ kind: 'response', id: req.id, op: req.op, ok: false, error: toWire(err) });
  } finally {
    inflight.delete(req.id);
    if (shuttingDown && req.op === 'shutdown') {
      // Let the IPC channel drain the reply, then leave.
      setImmediate(() => process.disconnect?.());
    }
  }
}

if (!process.send) {
  process.stderr.write('engine-host: this is the Codex Vault engine process; it is started by EngineClient over IPC.\n');
  process.exit(2);
}

process.on('message', (m: unknown) => {
  if (!isHostToEngine(m)) return;
  if (m.kind === 'cancel') {
    inflight.get(m.id)?.abort();
    return;
  }
  void handle(m);
});

// The parent went away (closed the channel, or died): free everything and leave.
process.on('disconnect', () => {
  void shutdown(0).then(() => process.exit(0));
});
