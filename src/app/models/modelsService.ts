// The models a user has and can get, and the loading of them into the one engine, as a vault worker
// service ('models'): it lives beside the vault's database because the verification gate's records
// (the `models` table) are there. It joins the manifest catalog and downloader (src/engine/models),
// the hardware fit check (src/engine/fit) and the engine (given by the worker's composition root)
// into plain-data answers, and reports every change of model state as a 'models' event. It is the
// one place a model is loaded: the Models view, the chat, the embedder and hybrid search all get
// their handles here. No vscode here; the views only show these and call these.
import { open, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import type { MemorySnapshot } from '../../engine/protocol';
import { buildCatalog, type CatalogEntry } from '../../engine/models/catalog';
import { modelPath, partPath, sidecarPath } from '../../engine/models/fileNames';
import { mergeManifests, type SourcedModel } from '../../engine/models/manifestSources';
import { downloadModel } from '../../engine/models/modelDownloader';
import { ProxyResolver } from '../../engine/download/proxy';
import { verifyFile } from '../../engine/models/verifyModel';
import { detectHardware, type HardwareInfo } from '../../engine/fit/hardware';
import { judgeHardwareFit, shapeFromHeader } from '../../engine/fit/hardwareFit';
import { modelShape, readLocalGgufPrefix } from '../../engine/fit/modelShape';
import { addLocalModel, checkModelLoadable } from '../../engine/verify/verifyModelFile';
import type { Engine, ModelHandle } from '../engine/engine';
import type { AppEvents } from '../events';
import type { ChosenEmbedding } from '../chat/answerEmbedder';
import type { ModelRecords } from './modelRecords';
import type { DownloadState, ModelItem, ModelsConfig, ModelsSnapshot, ModelState, VerifyReport } from './modelsTypes';

function handleKey(id: string, purpose: 'generate' | 'embed'): string {
  return `${id}\u0000${purpose}`;
}

function defaultPurpose(item: Pick<ModelItem, 'role'>): 'generate' | 'embed' {
  return item.role === 'embedding' ? 'embed' : 'generate';
}

export class ModelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelsError';
  }
}

const HARDWARE_TTL_MS = 60_000;
/** Download progress reaches the views at most this often (a snapshot per received chunk would flood them). */
const PROGRESS_EVENT_MS = 250;

/** What a models service needs: the vault's model records, the engine, and where to report changes. */
export interface ModelsDeps {
  records: ModelRecords;
  engine: Engine;
  events: AppEvents;
}

export class ModelsService {
  readonly #records: ModelRecords;
  readonly #engine: Engine;
  readonly #events: AppEvents;
  #config: ModelsConfig | undefined;
  readonly #downloads = new Map<string, { abort: AbortController; state: DownloadState }>();
  readonly #errors = new Map<string, string>();
  /**
   * The engine handles this service loaded, keyed by model id and purpose: the one place a model is
   * loaded for the Models view, the chat and the embedder alike, so none loads a second copy. A model
   * used to embed and to generate holds two handles (llama.cpp needs a different context for each).
   */
  readonly #handles = new Map<string, ModelHandle>();
  readonly #loading = new Map<string, Promise<ModelHandle>>();
  readonly #fits = new Map<string, NonNullable<ModelItem['fit']>>();
  /** Files addLocal is hashing now, to cancel. */
  readonly #hashing = new Map<string, AbortController>();
  #hardware: { at: number; info: HardwareInfo } | undefined;
  /** The last snapshot sent, patched in place for progress and memory figures between full listings. */
  #last: ModelsSnapshot | undefined;
  #announce: Promise<void> | undefined;
  #progressAt = 0;
  #progressTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #stopEngineEvents: () => void;

  constructor(deps: ModelsDeps) {
    this.#records = deps.records;
    this.#engine = deps.engine;
    this.#events = deps.events;
    this.#stopEngineEvents = this.#engine.onEvent((e) => {
      if (e.type === 'memory') this.#patchMemory(e.snapshot);
      // The engine unloaded a model by itself (idle, low memory) or stopped: what is loaded changed.
      else if (e.type === 'unloaded' || e.type === 'exit') this.#changed();
    });
  }

  get configured(): boolean {
    return this.#config !== undefined;
  }

  /** The chosen embedding model (id or path), if any. */
  get embeddingModel(): string | undefined {
    return this.#config?.embeddingModel?.trim() || undefined;
  }

  /**
   * The engine handle of a model (manifest id or file path) for the worker's other services (chat,
   * embedder, hybrid search): the handle the Models view loaded, else loaded now through the same
   * path, so the view shows it as loaded and the verification gate applies.
   */
  async handle(idOrPath: string, purpose?: 'generate' | 'embed'): Promise<ModelHandle> {
    const path = isAbsolute(idOrPath) ? resolve(idOrPath) : undefined;
    const item = (await this.list()).models.find((m) => m.id === idOrPath || (path !== undefined && m.path === path));
    if (!item) throw new ModelsError(`No model "${idOrPath}" in the manifest or among the local models.`);
    const want = purpose ?? defaultPurpose(item);
    const have = this.#handles.get(handleKey(item.id, want));
    if (have) return have;
    await this.load(item.id, want);
    const handle = this.#handles.get(handleKey(item.id, want));
    if (!handle) throw new ModelsError(`${item.name} did not load.`);
    return handle;
  }

  /**
   * Hybrid search's query vector: the query embedded with the chosen embedding model
   * (codexVault.embeddingModel), loaded on first use. Undefined when no embedding model is chosen
   * or it has no recorded key, so search falls back to full text and says why.
   */
  async embedQuery(query: string, signal: AbortSignal): Promise<{ modelKey: string; vector: number[] } | undefined> {
    const chosen = this.embeddingModel;
    if (!chosen) return undefined;
    const handle = await this.handle(chosen, 'embed');
    signal.throwIfAborted();
    const modelKey = this.#records.get(handle.file)?.sha256;
    if (!modelKey) return undefined;
    const r = await this.#engine.embed(handle, [query]);
    const vector = r.vectors[0];
    return vector ? { modelKey, vector } : undefined;
  }

  /**
   * The chosen embedding model (codexVault.embeddingModel) when it is usable: its key (the file's
   * sha256, which its vectors are stored under) and a loader of its handle, called only when a
   * question is embedded. Undefined when none is chosen or it is not verified.
   */
  async chosenEmbedding(): Promise<ChosenEmbedding | undefined> {
    const chosen = this.embeddingModel;
    if (!chosen) return undefined;
    const path = isAbsolute(chosen) ? resolve(chosen) : undefined;
    // The last listing (kept current by the service's own changes), not a new one per question.
    const models = (this.#last ?? (await this.list())).models;
    const item = models.find((m) => m.id === chosen || (path !== undefined && m.path === path));
    if (!item || (item.state !== 'verified' && item.state !== 'loaded')) return undefined;
    const modelKey = this.#records.get(item.path)?.sha256;
    if (!modelKey) return undefined;
    return { modelKey, handle: () => this.handle(item.id, 'embed'), engine: this.#engine };
  }

  /** Settings from the extension: models folder, user manifest, extra local files, engine options. */
  /**
   * Settings from the extension: models folder, user manifest, extra local files, engine options.
   * The engine gets its settings here, before anything starts it, and a running engine gets their
   * changes: at once (idle unload, memory watermark), by an orderly restart (threads, GPU), or by
   * loading the chat model again (context size). Resolves with a sentence for each restart or
   * reload, for the user to be told.
   */
  async configure(config: ModelsConfig): Promise<{ notices: string[] }> {
    if (!config.modelsDir || !isAbsolute(config.modelsDir)) throw new ModelsError(`The models folder must be an absolute path (got "${config.modelsDir}").`);
    const before = this.#config;
    const next = { ...config, modelsDir: resolve(config.modelsDir) };
    if (before && JSON.stringify(before) === JSON.stringify(next)) return { notices: [] };
    if (before && before.contextSize !== config.contextSize) this.#fits.clear();
    this.#config = next;
    const notices: string[] = [];
    const engine = this.#engine;
    const { restarted } = await engine.configure({
      threads: next.threads || undefined,
      gpu: next.gpu,
      idleUnloadMs: next.idleUnloadMs,
      lowMemoryWatermarkBytes: next.lowMemoryWatermarkBytes,
    });
    if (restarted) notices.push(`The engine restarted to use ${next.threads ? `${next.threads} thread(s)` : 'the default threads'} on ${next.gpu === 'cpu' ? 'the CPU' : 'the GPU when there is one'}; loaded models are loaded again on their next use.`);
    if (before && before.contextSize !== next.contextSize) {
      for (const [key, handle] of this.#handles) {
        if (handle.info.purpose !== 'generate') continue;
        const trained = handle.info.trainContextSize || null;
        const contextSize = trained ? Math.min(next.contextSize, trained) : next.contextSize;
        // Compared with what was asked for: llama.cpp may round the context it makes up.
        if (contextSize === (handle.options.contextSize ?? handle.info.contextSize)) continue;
        try {
          const reloaded = await engine.reloadModel(handle, { contextSize });
          notices.push(`${basename(handle.file)} was loaded again with a ${reloaded.info.contextSize}-token context.`);
        } catch (err) {
          // It could not take the new context (e.g. memory): it is unloaded; the next use loads it with what fits, or says why.
          this.#handles.delete(key);
          await engine.unloadModel(handle).catch(() => undefined);
          notices.push(`${basename(handle.file)} could not be loaded again with a ${contextSize}-token context: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    this.#changed();
    return { notices };
  }

  /** Every manifest model and local model with its state, fit, download progress and memory. */
  async list(): Promise<ModelsSnapshot> {
    const cfg = this.#requireConfig();
    const { models, problems } = await this.#manifest();
    const catalog = await buildCatalog(cfg.modelsDir, models, this.#records);
    const listed = new Set(catalog.map((c) => c.path));
    const snapshot = await this.#memory();
    const items: ModelItem[] = [];
    for (const c of catalog) items.push(await this.#item(c, snapshot));
    // Files named in settings and never added: listed (unverified) so that they can be verified,
    // by the user or on first use. A file named as the chat or embedding model has that role.
    const named: [string, 'chat' | 'embedding' | null][] = [
      ...(cfg.extraModels ?? []).map((p): [string, null] => [p, null]),
      ...([['chat', cfg.chatModel], ['embedding', cfg.embeddingModel]] as const)
        .filter(([, p]) => p !== undefined && isAbsolute(p.trim()))
        .map(([role, p]): [string, 'chat' | 'embedding'] => [p!.trim(), role]),
    ];
    for (const [p, role] of named) {
      const path = resolve(p);
      if (listed.has(path)) continue;
      listed.add(path);
      items.push(await this.#unrecordedLocal(path, role));
    }
    this.#last = { modelsDir: cfg.modelsDir, models: items, problems, engine: snapshot ? engineFigures(snapshot) : null };
    return this.#last;
  }

  /**
   * Downloads a manifest model into the models folder (resuming a part), verified file by file.
   * Resolves when it is verified; rejects with the reason (cancelled, network, checksum).
   */
  async download(id: string): Promise<{ path: string }> {
    const cfg = this.#requireConfig();
    const s = await this.#manifestModel(id);
    if (this.#downloads.has(id)) throw new ModelsError(`${s.model.name} is already downloading.`);
    const abort = new AbortController();
    const entry = { abort, state: { bytes: 0, total: s.model.files.reduce((n, f) => n + f.size, 0), bytesPerSecond: 0, etaSeconds: null, phase: 'downloading' as const } as DownloadState };
    this.#downloads.set(id, entry);
    this.#errors.delete(id);
    this.#changed();
    try {
      const r = await downloadModel(s.model, {
        dir: cfg.modelsDir,
        signal: abort.signal,
        dispatcherFor: new ProxyResolver({ ...(cfg.proxyUrl ? { proxyUrl: cfg.proxyUrl } : {}), ...(cfg.strictSSL === false ? { strictSSL: false } : {}) }).dispatcherFor,
        store: this.#records,
        onProgress: (p) => {
          entry.state = { bytes: p.bytes, total: p.total ?? entry.state.total, bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds ?? null, phase: p.phase, ...(p.waiting ? { waiting: p.waiting } : {}) };
          this.#progress();
        },
      });
      this.#fits.delete(id);
      return { path: r.path };
    } catch (err) {
      if (!abort.signal.aborted) this.#errors.set(id, err instanceof Error ? err.message : String(err));
      throw abort.signal.aborted ? new ModelsError(`The download of ${s.model.name} was cancelled; what was downloaded is kept and resumes next time.`) : err;
    } finally {
      this.#downloads.delete(id);
      this.#changed();
    }
  }

  /** Stops a running download (its part file stays, to resume). Returns false when none was running. */
  cancelDownload(id: string): boolean {
    const d = this.#downloads.get(id);
    if (!d) return false;
    d.abort.abort();
    return true;
  }

  /** Hashes a model's files again and compares them with what they should be; a mismatch makes it unusable. */
  async verify(id: string): Promise<VerifyReport> {
    const { models } = await this.#manifest();
    const files = await this.#filesOf(id);
    const lines: string[] = [];
    let match = true;
    for (const file of files) {
      const rec = this.#records.get(file);
      if (id.startsWith('local:') && !rec) {
        // Listed in settings but never recorded: hashing it is what adding it means.
        const out = await addLocalModel(this.#records, file);
        lines.push(`${basename(file)}: recorded, SHA-256 ${out.record.sha256}`);
        continue;
      }
      // A local file is checked against its own record only: matching it to a manifest entry by
      // file name would turn the user's file into a manifest download.
      const r = await verifyFile(file, { ...(id.startsWith('local:') ? {} : { models }), store: this.#records, force: true });
      if (r.match === false) match = false;
      lines.push(`${basename(file)}: ${r.match === false ? `MISMATCH — ${r.detail ?? ''}` : `OK, SHA-256 ${r.sha256}`}`);
    }
    this.#errors.delete(id);
    this.#changed();
    return { id, match, lines };
  }

  /** Adds a GGUF file the user already has: checked to be GGUF, hashed and recorded as a local model. */
  async addLocal(path: string, role?: 'chat' | 'embedding'): Promise<ModelItem> {
    if (!path || !isAbsolute(path)) throw new ModelsError(`"${path}" is not an absolute path.`);
    const file = resolve(path);
    let st;
    try {
      st = await stat(file);
    } catch {
      throw new ModelsError(`${file} does not exist.`);
    }
    if (!st.isFile()) throw new ModelsError(`${file} is not a file.`);
    if (!(await hasGgufMagic(file))) throw new ModelsError(`${basename(file)} is not a GGUF model file (it does not start with "GGUF").`);
    if (this.#hashing.has(file)) throw new ModelsError(`${basename(file)} is already being verified.`);
    const abort = new AbortController();
    this.#hashing.set(file, abort);
    try {
      await addLocalModel(this.#records, file, { ...(role ? { role } : {}), signal: abort.signal });
    } catch (err) {
      if (abort.signal.aborted) throw new ModelsError(`Verifying ${basename(file)} was cancelled; it is not used until it is verified.`);
      throw err;
    } finally {
      this.#hashing.delete(file);
    }
    this.#changed();
    const snapshot = await this.list();
    const item = snapshot.models.find((m) => m.path === file);
    if (!item) throw new ModelsError(`${basename(file)} was recorded but is not listed.`);
    return item;
  }

  /** Stops hashing a file that addLocal is verifying. Returns false when none was. */
  cancelVerify(path: string): boolean {
    const a = this.#hashing.get(resolve(String(path)));
    a?.abort();
    return a !== undefined;
  }

  /** Loads a model into the engine (through the verification gate; every part of a split model). */
  async load(id: string, purpose?: 'generate' | 'embed'): Promise<ModelItem> {
    const cfg = this.#requireConfig();
    const item = await this.#find(id);
    const want = purpose ?? defaultPurpose(item);
    if (this.#handles.has(handleKey(id, want))) return item;
    if (item.state !== 'verified' && item.state !== 'loaded') throw new ModelsError(`${item.name} cannot be loaded while it is ${stateWords(item.state)}${item.state === 'unverified' ? ': verify it first' : ''}.`);
    // The engine's gate checks the file it is given; llama.cpp reads the other parts of a split
    // model from beside it unchecked, so each part goes through the gate here first.
    const files = await this.#filesOf(id);
    if (files.length > 1) for (const f of files) await checkModelLoadable(this.#records, f);
    // No bigger context than the model was trained for: more only costs memory.
    const trained = await readLocalGgufPrefix(item.path).then((h) => shapeFromHeader(h, item.sizeBytes).trainedContext, () => null);
    const contextSize = trained ? Math.min(cfg.contextSize, trained) : cfg.contextSize;
    const key = handleKey(id, want);
    // Two callers at once (the chat and the view's Load) share one load instead of loading twice.
    let loading = this.#loading.get(key);
    if (!loading) {
      // No per-model threads: the engine's threads setting applies, also after it changes.
      loading = this.#engine.loadModel(item.path, { contextSize, purpose: want });
      this.#loading.set(key, loading);
    }
    try {
      this.#handles.set(key, await loading);
    } finally {
      this.#loading.delete(key);
    }
    this.#changed();
    return this.#find(id);
  }

  /** Unloads every handle of the model (for generation and for embedding). */
  async unload(id: string): Promise<boolean> {
    const mine = [...this.#handles].filter(([key]) => key.startsWith(`${id}\u0000`));
    for (const [key] of mine) this.#handles.delete(key);
    for (const [, handle] of mine) await this.#engine.unloadModel(handle);
    if (mine.length > 0) this.#changed();
    return mine.length > 0;
  }

  /** A handle of the model, if loaded: the generation one first (what the view's figures describe). */
  #anyHandle(id: string): ModelHandle | undefined {
    return this.#handles.get(handleKey(id, 'generate')) ?? this.#handles.get(handleKey(id, 'embed'));
  }

  /**
   * Deletes a downloaded manifest model's files (and any part) from the models folder; for a local
   * model, forgets it (the user's own file is never deleted).
   */
  async remove(id: string): Promise<{ deletedFiles: string[] }> {
    this.cancelDownload(id);
    await this.unload(id);
    const deleted: string[] = [];
    if (id.startsWith('local:')) {
      this.#records.remove(id.slice('local:'.length));
      this.#changed();
      return { deletedFiles: deleted };
    }
    for (const file of await this.#filesOf(id)) {
      for (const p of [file, partPath(file), sidecarPath(file)]) {
        try {
          await rm(p);
          deleted.push(p);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      this.#records.remove(file);
    }
    this.#fits.delete(id);
    this.#changed();
    return { deletedFiles: deleted };
  }

  /** The engine's memory figures (null when the engine is not running: asking would start it). */
  async memory(): Promise<MemorySnapshot | null> {
    return this.#memory();
  }

  /** Stops downloads and forgets the handles (the composition root stops the engine itself). */
  dispose(): void {
    for (const d of this.#downloads.values()) d.abort.abort();
    this.#handles.clear();
    this.#stopEngineEvents();
    clearTimeout(this.#progressTimer);
  }

  /** Something about the models changed: send a fresh snapshot (bursts of changes send one). */
  #changed(): void {
    if (!this.#config || !this.#events.wants('models') || this.#announce) return;
    this.#announce = Promise.resolve().then(async () => {
      this.#announce = undefined;
      try {
        this.#events.emit({ topic: 'models', snapshot: await this.list() });
      } catch {
        // Listing failed (e.g. a manifest became unreadable): the next change or request says why.
      }
    });
  }

  /** Download progress: the last snapshot with fresh download figures, at most every PROGRESS_EVENT_MS. */
  #progress(): void {
    if (this.#progressTimer || !this.#events.wants('models')) return;
    const wait = Math.max(0, this.#progressAt + PROGRESS_EVENT_MS - Date.now());
    this.#progressTimer = setTimeout(() => {
      this.#progressTimer = undefined;
      this.#progressAt = Date.now();
      const last = this.#last;
      if (!last) return this.#changed();
      const models = last.models.map((m) => {
        const d = this.#downloads.get(m.id);
        return d ? { ...m, state: 'downloading' as const, download: { ...d.state } } : m;
      });
      this.#last = { ...last, models };
      this.#events.emit({ topic: 'models', snapshot: this.#last });
    }, wait);
  }

  /** The engine's periodic memory figures: patched into the last snapshot, no listing needed. */
  #patchMemory(mem: MemorySnapshot): void {
    const last = this.#last;
    if (!last || !this.#events.wants('models')) return;
    const models = last.models.map((m) => {
      const fig = mem.models.find((x) => x.file === m.path);
      if (!m.loaded || !fig) return m;
      return { ...m, loaded: { ...m.loaded, ramBytes: fig.modelRamBytes + fig.contextRamBytes, vramBytes: fig.vramBytes, kvCacheBytes: fig.kvCacheBytes, contextSize: fig.contextSize } };
    });
    this.#last = { ...last, models, engine: engineFigures(mem) };
    this.#events.emit({ topic: 'models', snapshot: this.#last });
  }

  #requireConfig(): ModelsConfig {
    if (!this.#config) throw new ModelsError('The models service has no settings yet (configure it first).');
    return this.#config;
  }

  async #manifest(): Promise<{ models: SourcedModel[]; problems: string[] }> {
    const cfg = this.#requireConfig();
    return mergeManifests({
      ...(cfg.manifestFile ? { manifestFile: cfg.manifestFile } : {}),
      ...(cfg.settingsEntries && cfg.settingsEntries.length > 0 ? { settingsEntries: cfg.settingsEntries } : {}),
    });
  }

  async #manifestModel(id: string): Promise<SourcedModel> {
    const s = (await this.#manifest()).models.find((m) => m.model.id === id);
    if (!s) throw new ModelsError(`No model "${id}" in the manifest.`);
    return s;
  }

  async #filesOf(id: string): Promise<string[]> {
    if (id.startsWith('local:')) return [id.slice('local:'.length)];
    const s = await this.#manifestModel(id);
    return s.model.files.map((f) => modelPath(this.#requireConfig().modelsDir, f.name));
  }

  async #find(id: string): Promise<ModelItem> {
    const item = (await this.list()).models.find((m) => m.id === id);
    if (!item) throw new ModelsError(`No model "${id}".`);
    return item;
  }

  async #memory(): Promise<MemorySnapshot | null> {
    if (!this.#engine.running) return null;
    try {
      return await this.#engine.memory();
    } catch {
      return null;
    }
  }

  async #item(c: CatalogEntry, snapshot: MemorySnapshot | null): Promise<ModelItem> {
    const mem = snapshot?.models.find((m) => m.file === c.path) ?? null;
    const dl = this.#downloads.get(c.id)?.state ?? null;
    const loaded = mem
      ? {
          modelId: mem.modelId, contextSize: mem.contextSize, purpose: this.#anyHandle(c.id)?.info.purpose ?? 'generate',
          ramBytes: mem.modelRamBytes + mem.contextRamBytes, vramBytes: mem.vramBytes, kvCacheBytes: mem.kvCacheBytes,
          gpu: this.#anyHandle(c.id)?.info.gpu ?? false,
        } as const
      : null;
    if (c.kind === 'manifest') {
      const base: ModelState = c.status === 'available' ? 'not-downloaded' : c.status;
      const state: ModelState = dl ? 'downloading' : loaded ? 'loaded' : base;
      const mismatch = c.files.find((f) => f.status === 'mismatch')?.detail ?? null;
      return {
        id: c.id, source: 'manifest', name: c.model.name, role: c.model.role, path: c.path, state,
        detail: mismatch ?? this.#errors.get(c.id) ?? null,
        sizeBytes: c.totalBytes, bytesPresent: c.bytesPresent,
        quantization: c.model.quantization, description: c.model.description, license: c.model.license,
        download: dl, fit: await this.#fit(c), loaded,
      };
    }
    const rec = this.#records.get(c.path);
    const recState: ModelState = c.status === 'missing' ? 'missing' : rec?.status === 'mismatch' ? 'mismatch' : c.status;
    return {
      id: c.id, source: 'local', name: c.name, role: c.role, path: c.path,
      state: loaded ? 'loaded' : recState,
      detail: c.status === 'missing' ? 'The file is no longer there.' : recState === 'mismatch' ? `SHA-256 no longer ${rec?.expectedSha256 ?? c.sha256}` : c.status === 'unverified' ? 'Changed since it was recorded: verify it again.' : null,
      sizeBytes: c.size, bytesPresent: c.status === 'missing' ? 0 : c.size,
      quantization: null, description: null, license: null,
      download: null, fit: await this.#fit(c), loaded,
    };
  }

  async #unrecordedLocal(path: string, role: 'chat' | 'embedding' | null = null): Promise<ModelItem> {
    let size = 0;
    let there = true;
    try {
      size = (await stat(path)).size;
    } catch {
      there = false;
    }
    return {
      id: `local:${path}`, source: 'local', name: basename(path), role, path, state: there ? 'unverified' : 'missing',
      detail: !there ? 'Named in settings, but the file is not there.'
        : role ? `Named as the ${role} model in settings: verified (hashed) when first used, or verify it now.`
        : 'Listed in settings, not hashed yet: verify it to use it.',
      sizeBytes: size, bytesPresent: size, quantization: null, description: null, license: null, download: null, fit: null, loaded: null,
    };
  }

  /** Fit for this machine: from the GGUF header when the file is on disk, else the manifest's figures. Cached per model. */
  async #fit(c: CatalogEntry): Promise<ModelItem['fit']> {
    const cached = this.#fits.get(c.id);
    if (cached) return cached;
    const cfg = this.#requireConfig();
    try {
      const hw = await this.#hardwareInfo();
      let shape;
      if (c.kind === 'manifest') {
        const onDisk = c.files.every((f) => f.status === 'verified' || f.status === 'unverified');
        shape = await modelShape(c.model, onDisk ? { localFile: c.path } : {});
      } else {
        if (c.status === 'missing') return null;
        shape = shapeFromHeader(await readLocalGgufPrefix(c.path), c.size);
      }
      const ctx = c.kind === 'manifest' ? Math.min(cfg.contextSize, c.model.contextLength) : Math.min(cfg.contextSize, shape.trainedContext ?? cfg.contextSize);
      const r = judgeHardwareFit(shape, hw, ctx);
      const fit = { level: r.level, message: r.message };
      this.#fits.set(c.id, fit);
      return fit;
    } catch {
      return null;
    }
  }

  async #hardwareInfo(): Promise<HardwareInfo> {
    if (this.#hardware && Date.now() - this.#hardware.at < HARDWARE_TTL_MS) return this.#hardware.info;
    const info = await detectHardware();
    this.#hardware = { at: Date.now(), info };
    return info;
  }
}

function engineFigures(m: MemorySnapshot): NonNullable<ModelsSnapshot['engine']> {
  return {
    rssBytes: m.process.rss, systemTotal: m.system.total, systemFree: m.system.free,
    vramTotal: m.vram?.total ?? null, vramUsed: m.vram?.used ?? null, busy: m.models.some((x) => x.busy),
  };
}

function stateWords(s: ModelState): string {
  return s === 'not-downloaded' ? 'not downloaded' : s;
}

/** The file's first four bytes are the GGUF magic (its name's extension is only a hint). */
async function hasGgufMagic(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.toString('latin1') === 'GGUF';
  } finally {
    await fh.close();
  }
}
