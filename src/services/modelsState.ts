// The one source of model and engine state on the host: the models service in the vault worker gets
// the settings from here (when the vault starts and whenever they change), and every change it
// reports ('models' events: state, download progress, loaded memory, the engine's figures) reaches
// the Models view, the chat and the status bar through onDidChange at once. Calls to the models
// service go through call(), which makes sure it has its settings first.
import { totalmem } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ModelsConfig, ModelsSnapshot } from '../app/models/modelsTypes';
import type { MethodName, ServiceArgs, ServiceResult } from '../worker/protocol';
import { Disposable } from './disposable';
import type { Log } from './log';
import type { CodexVaultSettings, Settings } from './settings';
import type { VaultService } from './vaultService';

/** What the status bar shows of the engine. */
export interface EngineStatus {
  /** Names of the loaded models, or undefined when none is loaded. */
  loadedModel?: string;
  state: 'stopped' | 'idle' | 'busy';
  ramBytes?: number;
  vramBytes?: number;
}

/** The models service's settings, from the extension's (workspace trust applied by Settings). */
export function modelsConfig(s: CodexVaultSettings, globalStorageDir: string): ModelsConfig {
  // codexVault.extraModels holds local .gguf paths (strings) and/or manifest entries (objects).
  const extra = s.extraModels;
  const proxyUrl = s.proxy.url;
  return {
    modelsDir: s.modelsFolder || join(globalStorageDir, 'models'),
    ...(s.manifestFile ? { manifestFile: s.manifestFile } : {}),
    extraModels: extra.filter((x): x is string => typeof x === 'string' && x.trim() !== ''),
    chatModel: s.chatModel,
    embeddingModel: s.embeddingModel,
    settingsEntries: extra.filter((x) => typeof x === 'object' && x !== null),
    ...(proxyUrl ? { proxyUrl } : {}),
    strictSSL: s.proxy.strictSSL,
    contextSize: s.contextSize,
    ...(s.threads > 0 ? { threads: s.threads } : {}),
    gpu: s.gpu,
    idleUnloadMs: s.idleUnloadMinutes * 60_000,
    // "Unload when memory in use goes over p%": the engine's watermark is the free memory left then.
    lowMemoryWatermarkBytes: Math.round((totalmem() * (100 - s.memoryWatermarkPercent)) / 100),
  };
}

export class ModelsState extends Disposable {
  private last: ModelsSnapshot | undefined;
  /** The settings sent to the current worker; undefined until sent (and after a restart or a change). */
  private configuring: Promise<void> | undefined;
  private fetching: Promise<ModelsSnapshot> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<ModelsSnapshot>());
  /** Fires with every new snapshot (a change of any model's state, progress, memory figures). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly vault: VaultService, private readonly settings: Settings, private readonly globalStorageDir: string, private readonly log: Log) {
    super();
    this._register(vault.onEvent('models', (e) => this.set(e.snapshot)));
    this._register(settings.onDidChange(() => {
      this.configuring = undefined;
      if (vault.isStarted) this.configure();
    }));
    let phase = vault.state.phase;
    this._register(vault.onDidChangeState((s) => {
      // A (re)started worker has a models service without settings.
      if (s.phase !== phase && (s.phase === 'ready' || s.phase === 'error' || s.phase === 'starting')) this.configuring = undefined;
      if (s.phase !== phase && s.phase === 'ready') this.configure();
      phase = s.phase;
    }));
  }

  /** The last snapshot (undefined before the first). */
  current(): ModelsSnapshot | undefined {
    return this.last;
  }

  /** The last snapshot, or a fresh one when there is none yet. */
  async snapshot(): Promise<ModelsSnapshot> {
    return this.last ?? this.refresh();
  }

  /** Lists the models again (a user's Refresh, or after something the service does not report). */
  refresh(): Promise<ModelsSnapshot> {
    this.fetching ??= this.call('list').then((s) => this.set(s)).finally(() => { this.fetching = undefined; });
    return this.fetching;
  }

  /** Calls the models service, sending it the settings first when it does not have them. */
  async call<M extends MethodName<'models'>>(method: M, ...args: ServiceArgs<'models', M>): Promise<ServiceResult<'models', M>> {
    await this.ensureConfigured();
    return this.vault.call('models', method, ...args);
  }

  /**
   * Sends the settings when the service does not have them yet. A change that restarted the engine
   * (threads, GPU) or loaded the chat model again (context size) is told to the user.
   */
  ensureConfigured(): Promise<void> {
    this.configuring ??= this.vault.call('models', 'configure', modelsConfig(this.settings.current, this.globalStorageDir)).then(
      ({ notices }) => {
        for (const n of notices) void vscode.window.showInformationMessage(`Codex Vault: ${n}`);
      },
      (err: unknown) => {
        this.configuring = undefined;
        throw err;
      },
    );
    return this.configuring;
  }

  /** What the status bar shows of the engine, from the last snapshot. */
  engineStatus(): EngineStatus {
    const s = this.last;
    if (!s?.engine) return { state: 'stopped' };
    const loaded = s.models.filter((m) => m.loaded);
    const busy = s.engine.busy || s.models.some((m) => m.state === 'downloading');
    if (loaded.length === 0) return { state: busy ? 'busy' : 'idle' };
    return {
      state: busy ? 'busy' : 'idle',
      loadedModel: loaded.map((m) => m.name).join(', '),
      ramBytes: loaded.reduce((n, m) => n + (m.loaded?.ramBytes ?? 0), 0) || s.engine.rssBytes,
      vramBytes: loaded.reduce((n, m) => n + (m.loaded?.vramBytes ?? 0), 0) || undefined,
    };
  }

  private configure(): void {
    this.ensureConfigured().catch((err: unknown) => this.log.error('could not configure models', err));
  }

  private set(s: ModelsSnapshot): ModelsSnapshot {
    this.last = s;
    void vscode.commands.executeCommand('setContext', 'codexVault.modelLoaded', s.models.some((m) => m.state === 'loaded'));
    this.changed.fire(s);
    return s;
  }
}
