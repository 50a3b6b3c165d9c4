// The Models tree's data: one snapshot from the vault worker's 'models' service per refresh.
// While a download runs (or a model is loaded and the view is visible) it refreshes on a timer, so
// progress, speed and memory figures stay current without the view computing anything itself.
import { totalmem } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import { readSettings } from '../../services/settings';
import type { VaultService } from '../../services/vaultService';
import type { ModelItem, ModelsConfig, ModelsSnapshot } from '../../app/models/modelsTypes';
import type { EngineStatus, EngineStatusSource } from '../common/engineStatus';
import { figures, groups, toTreeItem, type ModelNode } from './modelItems';

const DOWNLOAD_POLL_MS = 700;
const MEMORY_POLL_MS = 3000;

/** The service's settings, from VS Code's (workspace trust applied by readSettings). */
export function modelsConfig(globalStorageDir: string): ModelsConfig {
  const s = readSettings();
  // codexVault.extraModels holds local .gguf paths (strings) and/or manifest entries (objects).
  const extra: unknown[] = Array.isArray(s.extraModels) ? s.extraModels : [];
  const http = vscode.workspace.getConfiguration('http');
  const proxyUrl = http.get<string>('proxy', '').trim();
  return {
    modelsDir: s.modelsFolder.trim() || join(globalStorageDir, 'models'),
    ...(s.manifestFile.trim() ? { manifestFile: s.manifestFile.trim() } : {}),
    extraModels: extra.filter((x): x is string => typeof x === 'string' && x.trim() !== ''),
    chatModel: s.chatModel,
    embeddingModel: s.embeddingModel,
    settingsEntries: extra.filter((x) => typeof x === 'object' && x !== null),
    ...(proxyUrl ? { proxyUrl } : {}),
    strictSSL: http.get<boolean>('proxyStrictSSL', true),
    contextSize: s.contextSize,
    ...(s.threads > 0 ? { threads: s.threads } : {}),
    gpu: s.gpu,
    idleUnloadMs: s.idleUnloadMinutes * 60_000,
    // "Unload when memory in use goes over p%": the engine's watermark is the free memory left then.
    lowMemoryWatermarkBytes: Math.round((totalmem() * (100 - s.memoryWatermarkPercent)) / 100),
  };
}

export class ModelsTree extends Disposable implements vscode.TreeDataProvider<ModelNode>, EngineStatusSource {
  private snapshot: ModelsSnapshot | undefined;
  private loading: Promise<ModelsSnapshot | undefined> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = false;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly statusChanged = this._register(new vscode.EventEmitter<void>());
  /** For the status bar's engine part: fires after each new snapshot. */
  readonly onDidChange = this.statusChanged.event;

  constructor(private readonly vault: VaultService, private readonly globalStorageDir: string, private readonly log: Log) {
    super();
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.refresh();
  }

  refresh(): void {
    this.snapshot = undefined;
    this.changed.fire();
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (!node) {
      const s = await this.load();
      return s ? groups(s) : [];
    }
    if (node.type === 'group') return node.models.map((model) => ({ type: 'model', model }));
    if (node.type === 'model') return figures(node.model);
    return [];
  }

  /** What the status bar shows of the engine, from the last snapshot. */
  current(): EngineStatus {
    const s = this.snapshot;
    if (!s) return { state: 'stopped' };
    const loaded = s.models.filter((m) => m.loaded);
    if (loaded.length === 0) return { state: s.engine ? 'idle' : 'stopped' };
    return {
      state: s.models.some((m) => m.state === 'downloading') ? 'busy' : 'idle',
      loadedModel: loaded.map((m) => m.name).join(', '),
      ramBytes: loaded.reduce((n, m) => n + (m.loaded?.ramBytes ?? 0), 0),
      vramBytes: loaded.reduce((n, m) => n + (m.loaded?.vramBytes ?? 0), 0),
    };
  }

  /** The current item of a model id (fresh from the last snapshot). */
  model(id: string): ModelItem | undefined {
    return this.snapshot?.models.find((m) => m.id === id);
  }

  load(): Promise<ModelsSnapshot | undefined> {
    if (this.snapshot) return Promise.resolve(this.snapshot);
    this.loading ??= this.fetch().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  /** Sends the current settings to the service (also when they change). */
  async configure(): Promise<void> {
    await this.vault.call('models', 'configure', modelsConfig(this.globalStorageDir));
  }

  private async fetch(): Promise<ModelsSnapshot | undefined> {
    clearTimeout(this.timer);
    if (this.vault.state.phase === 'no-folder') return undefined;
    try {
      await this.configure();
      this.snapshot = await this.vault.call('models', 'list');
    } catch (err) {
      this.log.error('could not list models', err);
      return undefined;
    }
    const s = this.snapshot;
    const busy = s.models.some((m) => m.state === 'downloading');
    const loaded = s.models.some((m) => m.state === 'loaded');
    if (busy || (loaded && this.visible)) this.timer = setTimeout(() => this.refresh(), busy ? DOWNLOAD_POLL_MS : MEMORY_POLL_MS);
    void vscode.commands.executeCommand('setContext', 'codexVault.modelLoaded', loaded);
    this.statusChanged.fire();
    return s;
  }
}
