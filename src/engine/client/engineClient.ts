// The host side of the engine: plain Node (no vscode), used by the extension, the CLI and tests.
// It forks the engine process lazily on the first request, correlates requests and replies by
// id, streams generated text, and survives the engine dying: every pending request fails with a
// clear error, and the next request starts a fresh engine (after a backoff) and transparently
// reloads the models it had. A model that crashes the engine on load several times in a row is
// not tried again.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { safeLine } from '../../common/untrustedText';
import { checkModelLoadable, ModelGateError } from '../verify/verifyModelFile';
import type { ModelRecordStore } from '../verify/modelRecordStore';
import {
  isEngineToHost,
  type ChatMessage,
  type EmbedResult,
  type EngineEvent,
  type EngineInfo,
  type EngineOp,
  type EngineOps,
  type EngineSettings,
  type EngineToHost,
  type Gbnf,
  type GenerateResult,
  type HostToEngine,
  type LoadOptions,
  type LoadedModel,
  type MemorySnapshot,
  type ModelInspection,
  type RuntimeSettings,
  type SamplingOptions,
} from '../protocol';
import { EngineError } from './engineError';
import { ChunkQueue, type GenerationStream } from './generationStream';
import { mergeTimeouts, type EngineTimeouts } from './timeouts';

export { EngineError } from './engineError';
export type { GenerationStream } from './generationStream';

export interface EngineEntry {
  /** The engine's entry file: dist/engine-host.mjs, or src/engine/host/engineMain.ts. */
  file: string;
  /** Node options for the child, e.g. ['--import', 'tsx'] for the TypeScript source. */
  execArgv: string[];
}

export interface EngineClientOptions {
  /** The verification gate's record store (the vault's ModelRecords). */
  records: ModelRecordStore;
  /** Where the engine code is; default: found next to this bundle, or the TS source under tsx. */
  entry?: EngineEntry;
  /** The Node binary for the child (default: this process's, which is Node in Electron too). */
  execPath?: string;
  settings?: Partial<EngineSettings>;
  /** First restart delay after a crash; doubles per consecutive crash (max 10 s). */
  restartBackoffMs?: number;
  /** After this many consecutive crashes while loading one file, that file is refused. */
  maxCrashesOnLoad?: number;
  /** How long dispose() waits for an orderly shutdown before killing the engine. */
  shutdownTimeoutMs?: number;
  /** Limits per kind of call (defaults in timeouts.ts). */
  timeouts?: { calls?: Partial<EngineTimeouts['calls']>; firstTextMs?: number; nextTextMs?: number };
}

export interface GenerateOptions extends SamplingOptions {
  signal?: AbortSignal;
  /** GBNF the generated text must fit (see Gbnf in the protocol). */
  grammar?: Gbnf;
  /** Called with each chunk of text as it arrives (alternative to iterating the stream). */
  onText?: (text: string) => void;
}

export type ClientEvent =
  | EngineEvent
  | { type: 'exit'; code: number | null; signal: string | null; expected: boolean; message: string }
  /** configure() restarted the engine to apply settings fixed at its start. */
  | { type: 'restarted'; message: string };

/** A model as the client knows it: stable across engine restarts and idle unloads. */
export interface ModelHandle {
  readonly id: string;
  readonly file: string;
  readonly options: LoadOptions;
  /** What the engine reported at the last load. */
  info: LoadedModel;
}

interface HandleState extends ModelHandle {
  engineId: string | null;
  incarnation: number;
}

interface Pending {
  op: EngineOp;
  what: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onStream?: (text: string, tokens: number) => void;
  file?: string;
}

const DEFAULT_SETTINGS: EngineSettings = {
  gpu: 'auto',
  idleUnloadMs: 10 * 60_000,
  lowMemoryWatermarkBytes: 512 * 1024 * 1024,
  memoryEventIntervalMs: 5_000,
  streamFlushMs: 16,
};

/** Finds the engine next to this code: the bundle (dist/engine-host.mjs) or the TS source. */
export function defaultEngineEntry(): EngineEntry {
  const bundled = join(__dirname, 'engine-host.mjs');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  const source = resolve(__dirname, '..', 'host', 'engineMain.ts');
  if (existsSync(source)) return { file: source, execArgv: ['--import', 'tsx'] };
  throw new EngineError('internal', `The engine entry was not found (looked for ${bundled} and ${source}). Run the build.`);
}

export class EngineClient {
  private child: ChildProcess | null = null;
  private ready: Promise<EngineInfo> | null = null;
  private incarnation = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handles = new Map<string, HandleState>();
  private nextHandle = 1;
  private readonly listeners = new Set<(e: ClientEvent) => void>();
  private consecutiveCrashes = 0;
  private lastCrashAt = 0;
  private readonly crashesOnLoad = new Map<string, number>();
  private stderrTail = '';
  private disposed = false;
  private stopping = false;
  private settings: EngineSettings;
  private readonly timeouts: EngineTimeouts;

  constructor(private readonly opts: EngineClientOptions) {
    this.settings = { ...DEFAULT_SETTINGS, ...opts.settings };
    this.timeouts = mergeTimeouts(opts.timeouts);
  }

  /** Subscribes to memory, unload, log and exit events. Returns the unsubscribe function. */
  onEvent(listener: (e: ClientEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The engine process id while one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the engine now (otherwise the first request does). */
  async start(): Promise<EngineInfo> {
    return this.ensureStarted();
  }

  /**
   * Changes settings. Idle unload, watermark, memory events, budget and stream pacing apply to the
   * running engine at once. Threads and the GPU choice are fixed when llama.cpp starts: when they
   * change while an engine runs, it is stopped in order and the next request starts a fresh one
   * with them, reloading the models it had (resolves with `restarted: true`, for a notice).
   */
  async configure(changes: Partial<EngineSettings>): Promise<{ restarted: boolean }> {
    const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<EngineSettings>;
    const before = this.settings;
    // `threads: undefined` in a full settings object means "the default": it is a change too.
    const threadsChanged = 'threads' in changes && changes.threads !== before.threads;
    const restart = threadsChanged || (defined.gpu !== undefined && defined.gpu !== before.gpu);
    this.settings = { ...before, ...defined, ...(threadsChanged ? { threads: changes.threads } : {}) };
    if (!this.child || !this.ready) return { restarted: false };
    if (restart) {
      await this.stop();
      this.emit({ type: 'restarted', message: 'The engine restarted to apply its thread and GPU settings; loaded models are loaded again on their next use.' });
      return { restarted: true };
    }
    const { threads: _threads, gpu: _gpu, ...runtime } = defined;
    // Only what changed goes to the engine (callers send their whole settings on every use).
    const changed = Object.fromEntries(Object.entries(runtime).filter(([k, v]) => before[k as keyof EngineSettings] !== v)) as RuntimeSettings;
    if (Object.keys(changed).length > 0) await this.request('configure', changed, 'changing settings');
    return { restarted: false };
  }

  /** The settings the next engine starts with (and the running one has, but for threads and gpu until it restarts). */
  get currentSettings(): Readonly<EngineSettings> {
    return this.settings;
  }

  /**
   * Loads a model again with other options, e.g. a new context size (llama.cpp sizes a context
   * when it creates it). The handle stays valid and keeps its id; a generation running on the old
   * context is ended by the unload and fails, so callers do this between requests.
   */
  async reloadModel(model: ModelHandle | string, options: Partial<LoadOptions>): Promise<ModelHandle> {
    const h = this.handleFor(model);
    if (h.engineId && h.incarnation === this.incarnation && this.child) {
      await this.request('unload', { modelId: h.engineId }, `unloading ${basename(h.file)}`);
    }
    h.engineId = null;
    (h as { options: LoadOptions }).options = { ...h.options, ...options };
    await this.loadInto(h);
    return this.publicHandle(h);
  }

  /** GGUF metadata, insights and the memory estimate for a context size. Needs no verification. */
  async inspect(file: string, opts: { contextSize?: number } = {}): Promise<ModelInspection> {
    return this.request('inspect', { file: resolve(file), contextSize: opts.contextSize }, `inspecting ${basename(file)}`);
  }

  /**
   * Loads a model after the verification gate: the file must be a verified manifest download
   * or an added local model. Returns a handle that stays valid across engine restarts.
   */
  async loadModel(file: string, options: LoadOptions = {}): Promise<ModelHandle> {
    const abs = resolve(file);
    const h: HandleState = { id: `model-${this.nextHandle++}`, file: abs, options: { ...options }, info: undefined as unknown as LoadedModel, engineId: null, incarnation: -1 };
    await this.loadInto(h);
    this.handles.set(h.id, h);
    return this.publicHandle(h);
  }

  async unloadModel(model: ModelHandle | string): Promise<void> {
    const h = this.handles.get(typeof model === 'string' ? model : model.id);
    if (!h) return;
    this.handles.delete(h.id);
    if (h.engineId && h.incarnation === this.incarnation && this.child) {
      await this.request('unload', { modelId: h.engineId }, `unloading ${basename(h.file)}`);
    }
  }

  /** Plain completion of `prompt`, streamed. */
  generate(model: ModelHandle | string, prompt: string, opts: GenerateOptions = {}): GenerationStream {
    return this.stream(model, opts, (engineId) => ({ op: 'complete', params: { modelId: engineId, prompt, sampling: sampling(opts), ...grammarOf(opts) } }));
  }

  /** A chat turn through the model's own chat template (or node-llama-cpp's fallback), streamed. */
  chat(model: ModelHandle | string, messages: ChatMessage[], opts: GenerateOptions = {}): GenerationStream {
    return this.stream(model, opts, (engineId) => ({ op: 'chat', params: { modelId: engineId, messages, sampling: sampling(opts), ...grammarOf(opts) } }));
  }

  async embed(model: ModelHandle | string, texts: string[]): Promise<EmbedResult> {
    return this.withModel(model, (id) => this.request('embed', { modelId: id, texts }, `embedding ${texts.length} text(s)`));
  }

  async tokenize(model: ModelHandle | string, text: string): Promise<number[]> {
    return (await this.withModel(model, (id) => this.request('tokenize', { modelId: id, text }, 'tokenizing'))).tokens;
  }

  async countTokens(model: ModelHandle | string, texts: string[]): Promise<number[]> {
    return (await this.withModel(model, (id) => this.request('countTokens', { modelId: id, texts }, 'counting tokens'))).counts;
  }

  async memory(): Promise<MemorySnapshot> {
    return this.request('memory', {}, 'reading memory figures');
  }

  /** Stops the engine in order (sessions, contexts, models, llama) and leaves nothing running. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.stop();
    this.listeners.clear();
  }

  /** Stops the current engine (orderly, then by force); the next request starts a fresh one. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    const exited = new Promise<void>((r) => {
      if (child.exitCode !== null || child.signalCode !== null) r();
      else child.once('exit', () => r());
    });
    try {
      const id = this.nextId++;
      const reply = new Promise<void>((res) => {
        this.pending.set(id, { op: 'shutdown', what: 'shutting down', resolve: () => res(), reject: () => res() });
      });
      this.post({ kind: 'request', id, op: 'shutdown', params: {} });
      await Promise.race([Promise.all([reply, exited]), delay(this.opts.shutdownTimeoutMs ?? 5000)]);
    } catch {
      // The channel may already be closed: fall through to the kill.
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    this.stopping = false;
  }

  // ---- internals ----

  private publicHandle(h: HandleState): ModelHandle {
    return h;
  }

  private handleFor(model: ModelHandle | string): HandleState {
    const h = this.handles.get(typeof model === 'string' ? model : model.id);
    if (!h) throw new EngineError('unknown-model', `No model ${typeof model === 'string' ? model : model.id} is loaded (it was unloaded, or never loaded).`);
    return h;
  }

  /** Runs `fn` with the engine's id for the model, reloading it when the engine lost it. */
  private async withModel<T>(model: ModelHandle | string, fn: (engineId: string) => Promise<T>): Promise<T> {
    const h = this.handleFor(model);
    if (h.engineId === null || h.incarnation !== this.incarnation || !this.child) await this.loadInto(h);
    try {
      return await fn(h.engineId as string);
    } catch (err) {
      // Unloaded by the engine (idle / low memory) between our check and the request: reload once.
      if (err instanceof EngineError && err.code === 'unknown-model' && this.handles.has(h.id)) {
        await this.loadInto(h);
        return fn(h.engineId as string);
      }
      throw err;
    }
  }

  private async loadInto(h: HandleState): Promise<void> {
    const crashes = this.crashesOnLoad.get(h.file) ?? 0;
    const limit = this.opts.maxCrashesOnLoad ?? 3;
    if (crashes >= limit) {
      throw new EngineError('crash-loop', `${h.file} crashed the engine ${crashes} times in a row while loading; it will not be tried again. Check the file, or choose another model.`);
    }
    try {
      await checkModelLoadable(this.opts.records, h.file);
    } catch (err) {
      if (err instanceof ModelGateError) throw new EngineError(err.code, err.message);
      throw err;
    }
    const info = await this.request('load', { file: h.file, options: h.options }, `loading ${basename(h.file)}`, h.file);
    this.crashesOnLoad.delete(h.file);
    h.info = info;
    h.engineId = info.modelId;
    h.incarnation = this.incarnation;
  }

  private stream(model: ModelHandle | string, opts: GenerateOptions, build: (engineId: string) => { op: 'complete' | 'chat'; params: EngineOps['complete']['params'] | EngineOps['chat']['params'] }): GenerationStream {
    const queue = new ChunkQueue();
    let requestId: number | null = null;
    let cancelled = false;
    const cancel = (): void => {
      cancelled = true;
      if (requestId !== null) this.post({ kind: 'cancel', id: requestId });
    };
    if (opts.signal?.aborted) cancelled = true;
    opts.signal?.addEventListener('abort', cancel, { once: true });
    const onStream = (text: string): void => {
      if (text.length === 0) return;
      opts.onText?.(text);
      queue.push(text);
    };
    const result = this.withModel(model, async (engineId) => {
      const { op, params } = build(engineId);
      const what = `generating text with ${basename(this.handleFor(model).file)}`;
      const p = this.request(op, params as never, what, undefined, onStream, (id) => {
        requestId = id;
        if (cancelled) this.post({ kind: 'cancel', id });
      }) as Promise<GenerateResult>;
      return p;
    }).then(
      (r) => {
        queue.end();
        return r;
      },
      (err: unknown) => {
        queue.end(err);
        throw err;
      },
    ).finally(() => opts.signal?.removeEventListener('abort', cancel));
    // The caller may only iterate; keep an unobserved rejection from crashing the process.
    result.catch(() => undefined);
    return { result, cancel, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
  }

  private emit(e: ClientEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's bug must not break the engine connection.
      }
    }
  }

  private async ensureStarted(): Promise<EngineInfo> {
    if (this.disposed) throw new EngineError('disposed', 'The engine client has been disposed.');
    if (this.ready) return this.ready;
    const wait = this.backoff();
    this.ready = (async () => {
      if (wait > 0) await delay(wait);
      if (this.disposed) throw new EngineError('disposed', 'The engine client has been disposed.');
      this.spawn();
      return this.sendRequest('init', this.settings, 'starting the engine');
    })();
    this.ready.catch(() => {
      // A failed start is reported to its caller; the next request tries again.
      this.ready = null;
    });
    return this.ready;
  }

  private backoff(): number {
    if (this.consecutiveCrashes === 0) return 0;
    const base = this.opts.restartBackoffMs ?? 250;
    const wanted = Math.min(10_000, base * 2 ** (this.consecutiveCrashes - 1));
    return Math.max(0, this.lastCrashAt + wanted - Date.now());
  }

  private spawn(): void {
    const entry = this.opts.entry ?? defaultEngineEntry();
    this.incarnation++;
    this.stderrTail = '';
    const child = fork(entry.file, [], {
      execArgv: entry.execArgv,
      execPath: this.opts.execPath,
      // stdout is never used for results by the engine; anything native code prints there or on
      // stderr is kept for error messages and forwarded as log events, never mixed into ours.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      // Inside VS Code execPath is Electron: ELECTRON_RUN_AS_NODE makes it a plain Node for the engine.
      env: { ...process.env, NODE_OPTIONS: '', ELECTRON_RUN_AS_NODE: '1' },
    });
    this.child = child;
    const onOutput = (level: 'info' | 'warn') => (buf: Buffer): void => {
      const text = buf.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      this.emit({ type: 'log', level, message: text.trimEnd(), source: 'native' });
    };
    child.stdout?.on('data', onOutput('info'));
    child.stderr?.on('data', onOutput('warn'));
    child.on('message', (m: unknown) => {
      if (isEngineToHost(m)) this.onMessage(m);
    });
    child.on('error', (err) => this.emit({ type: 'log', level: 'error', message: `Engine process error: ${err.message}` }));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
  }

  private onMessage(m: EngineToHost): void {
    if (m.kind === 'event') {
      if (m.event.type === 'unloaded') {
        for (const h of this.handles.values()) if (h.engineId === m.event.modelId) h.engineId = null;
      }
      this.emit(m.event);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.kind === 'stream') {
      p.onStream?.(m.text, m.tokens);
      return;
    }
    this.pending.delete(m.id);
    if (m.ok) {
      this.consecutiveCrashes = 0;
      p.resolve(m.result);
    } else {
      p.reject(new EngineError(m.error.code, m.error.message));
    }
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.ready = null;
    const expected = this.stopping || this.disposed;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    // Native output (an assertion naming a tensor, say) comes from the model file: escaped, short.
    const tail = safeLine(this.stderrTail.trim().split('\n').slice(-3).join(' | '), 600);
    if (!expected) {
      this.consecutiveCrashes++;
      this.lastCrashAt = Date.now();
    }
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      if (expected) {
        p.reject(new EngineError('disposed', `The engine was stopped while ${p.what}.`));
        continue;
      }
      if (p.op === 'load' && p.file) this.crashesOnLoad.set(p.file, (this.crashesOnLoad.get(p.file) ?? 0) + 1);
      p.reject(new EngineError('engine-exited', `The engine process exited unexpectedly (${how}) while ${p.what}.${tail ? ` Its last output: ${tail}` : ''}`));
    }
    for (const h of this.handles.values()) h.engineId = null;
    this.emit({ type: 'exit', code, signal, expected, message: expected ? 'The engine stopped.' : `The engine process exited unexpectedly (${how}).` });
  }

  private post(m: HostToEngine): void {
    const c = this.child;
    if (c && c.connected) c.send(m);
  }

  private sendRequest<K extends EngineOp>(op: K, params: EngineOps[K]['params'], what: string, file?: string, onStream?: (text: string, tokens: number) => void, onId?: (id: number) => void): Promise<EngineOps[K]['result']> {
    const c = this.child;
    if (!c || !c.connected) return Promise.reject(new EngineError('engine-exited', `The engine process is not running (while ${what}).`));
    const id = this.nextId++;
    const streaming = op === 'chat' || op === 'complete';
    return new Promise<EngineOps[K]['result']>((resolvePromise, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => this.timedOut(id, ms), ms);
      };
      this.pending.set(id, {
        op, what, file,
        resolve: (v) => { clearTimeout(timer); resolvePromise(v as EngineOps[K]['result']); },
        reject: (e) => { clearTimeout(timer); reject(e); },
        onStream: streaming
          ? (text, tokens) => { arm(this.timeouts.nextTextMs); onStream?.(text, tokens); }
          : onStream,
      });
      c.send({ kind: 'request', id, op, params } as HostToEngine);
      // After the request: a cancel sent for it (a caller that gave up already) must arrive second.
      onId?.(id);
      if (op !== 'shutdown') arm(streaming ? this.timeouts.firstTextMs : this.timeouts.calls[op as keyof EngineTimeouts['calls']]);
    });
  }

  /**
   * A request ran out of time. A generation is cancelled (the engine may just be slow on this one);
   * anything else means the engine stopped answering, so it is restarted for the next request.
   */
  private timedOut(id: number, ms: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const secs = Math.round(ms / 1000);
    if (p.op === 'chat' || p.op === 'complete') {
      this.post({ kind: 'cancel', id });
      p.reject(new EngineError('timeout', `The engine produced no text for ${secs} s while ${p.what}, so it was stopped. Try again; if it keeps happening, choose a smaller model or a smaller context size.`));
      return;
    }
    p.reject(new EngineError('timeout', `The engine did not answer within ${secs} s while ${p.what}; it is restarted for the next request. If it keeps happening, see the Codex Vault log.`));
    this.abandon();
  }

  /** Puts down an engine that stopped answering: what it still owed fails, and the next request starts another. */
  private abandon(): void {
    const child = this.child;
    if (!child) return;
    this.child = null;
    this.ready = null;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new EngineError('timeout', `The engine stopped answering while ${p.what}; it is restarted for the next request.`));
    }
    for (const h of this.handles.values()) h.engineId = null;
    child.kill('SIGKILL');
    this.emit({ type: 'exit', code: null, signal: 'SIGKILL', expected: false, message: 'The engine stopped answering and was stopped; the next request starts it again.' });
  }

  private async request<K extends EngineOp>(op: K, params: EngineOps[K]['params'], what: string, file?: string, onStream?: (text: string, tokens: number) => void, onId?: (id: number) => void): Promise<EngineOps[K]['result']> {
    await this.ensureStarted();
    return this.sendRequest(op, params, what, file, onStream, onId);
  }
}

function sampling(o: GenerateOptions): SamplingOptions {
  const { signal: _s, onText: _t, grammar: _g, ...rest } = o;
  return rest;
}

function grammarOf(o: GenerateOptions): { grammar?: Gbnf } {
  return o.grammar === undefined ? {} : { grammar: o.grammar };
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
