// The one reader of the codexVault.* settings (and the http.* proxy settings the downloads use):
// every consumer reads them through a Settings object built once by the composition root, and
// follows its change events instead of watching VS Code's configuration itself.
// Workspace trust: in an untrusted workspace the workspace's own values of model paths and
// manifests are ignored: those keys (package.json capabilities.untrustedWorkspaces.restrictedConfigurations)
// are read from the user's global value only, so a cloned repository cannot point the extension at
// a file. Granting trust later is a change of those settings.
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { IndexSettings } from '../worker/protocol';
import { DEFAULT_CITATION_MODE, isCitationMode, type CitationMode } from '../app/ask/strictCitations';

export const SECTION = 'codexVault';

/** Keys whose workspace values are ignored in untrusted workspaces. */
export const RESTRICTED_KEYS = ['modelsFolder', 'chatModel', 'embeddingModel', 'manifestFile', 'extraModels'] as const;
/** Restricted too (a cloned repository must not make the indexer follow links out of it): in `index`. */
export const RESTRICTED_INDEX_KEYS = ['followExternalSymlinks'] as const;
export type RestrictedKey = (typeof RESTRICTED_KEYS)[number] | (typeof RESTRICTED_INDEX_KEYS)[number];

/** Settings of the engine: a change reaches the running engine (or restarts it, or reloads the model). */
export const ENGINE_KEYS = ['gpu', 'threads', 'idleUnloadMinutes', 'memoryWatermarkPercent', 'contextSize'] as const;
/** Settings that change what is indexed: a change re-scans without a reload. */
export const INDEX_KEYS = ['include', 'exclude', 'maxFileSizeKB', 'followExternalSymlinks'] as const;
/** Settings of the models service: where models are, which are listed and chosen, how they download. */
export const MODEL_KEYS = [...RESTRICTED_KEYS, ...ENGINE_KEYS] as const;

export interface SamplingSettings {
  temperature: number;
  topP: number;
  topK: number;
  repeatPenalty: number;
  maxTokens: number;
}

export interface CodexVaultSettings {
  modelsFolder: string;
  chatModel: string;
  embeddingModel: string;
  manifestFile: string;
  /** Local .gguf paths (strings) and/or manifest entries (objects). */
  extraModels: unknown[];
  threads: number;
  gpu: 'auto' | 'cpu';
  contextSize: number;
  sampling: SamplingSettings;
  index: IndexSettings;
  indexOnStartup: boolean;
  idleUnloadMinutes: number;
  memoryWatermarkPercent: number;
  searchMode: 'lexical' | 'hybrid';
  answerOnlyFromVault: boolean;
  /** codexVault.ask.citations: generate answers under the citation grammar, or only ask for citations. */
  citations: CitationMode;
  /** VS Code's http.proxy and http.proxyStrictSSL, for model downloads. */
  proxy: { url: string; strictSSL: boolean };
}

/** What a change touched: `affects('sampling')`, `affects('chatModel')`, `affects('http')`. */
export interface SettingsChange {
  affects(key: string): boolean;
}

export function affectsAny(change: SettingsChange, keys: readonly string[]): boolean {
  return keys.some((k) => change.affects(k));
}

function num(cfg: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = cfg.get<number>(key, fallback);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

function strings(cfg: vscode.WorkspaceConfiguration, key: string, fallback: string[]): string[] {
  const v = cfg.get<unknown>(key, fallback);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : fallback;
}

/** A restricted key honouring workspace trust. */
function restricted<T>(cfg: vscode.WorkspaceConfiguration, key: RestrictedKey, fallback: T): T {
  if (vscode.workspace.isTrusted) return cfg.get<T>(key, fallback);
  const inspected = cfg.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

function read(): CodexVaultSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const http = vscode.workspace.getConfiguration('http');
  const extra = restricted<unknown>(cfg, 'extraModels', []);
  return {
    modelsFolder: restricted(cfg, 'modelsFolder', '').trim(),
    chatModel: restricted(cfg, 'chatModel', '').trim(),
    embeddingModel: restricted(cfg, 'embeddingModel', '').trim(),
    manifestFile: restricted(cfg, 'manifestFile', '').trim(),
    extraModels: Array.isArray(extra) ? extra : [],
    threads: num(cfg, 'threads', 0, 0, 256),
    gpu: cfg.get<string>('gpu') === 'cpu' ? 'cpu' : 'auto',
    contextSize: num(cfg, 'contextSize', 4096, 256, 1_048_576),
    sampling: {
      temperature: num(cfg, 'sampling.temperature', 0.2, 0, 2),
      topP: num(cfg, 'sampling.topP', 0.9, 0, 1),
      topK: num(cfg, 'sampling.topK', 40, 0, 1000),
      repeatPenalty: num(cfg, 'sampling.repeatPenalty', 1.1, 0, 2),
      maxTokens: num(cfg, 'sampling.maxTokens', 1024, 1, 65_536),
    },
    index: {
      include: strings(cfg, 'include', ['**/*.md', '**/*.markdown']),
      exclude: strings(cfg, 'exclude', []),
      maxFileBytes: num(cfg, 'maxFileSizeKB', 2048, 1, 1_048_576) * 1024,
      followExternalSymlinks: restricted<unknown>(cfg, 'followExternalSymlinks', false) === true,
    },
    indexOnStartup: cfg.get<boolean>('indexOnStartup', false),
    idleUnloadMinutes: num(cfg, 'idleUnloadMinutes', 10, 0, 1440),
    memoryWatermarkPercent: num(cfg, 'memoryWatermarkPercent', 90, 10, 100),
    searchMode: cfg.get<string>('search.mode') === 'hybrid' ? 'hybrid' : 'lexical',
    answerOnlyFromVault: cfg.get<boolean>('chat.answerOnlyFromVault', true),
    citations: ((v) => (isCitationMode(v) ? v : DEFAULT_CITATION_MODE))(cfg.get<string>('ask.citations')),
    proxy: { url: http.get<string>('proxy', '').trim(), strictSSL: http.get<boolean>('proxyStrictSSL', true) },
  };
}

export class Settings extends Disposable {
  private cached: CodexVaultSettings | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<SettingsChange>());
  /** Fires after a codexVault.* or http.* setting changed, or workspace trust was granted. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION) && !e.affectsConfiguration('http')) return;
      this.cached = undefined;
      this.changed.fire({ affects: (key) => e.affectsConfiguration(key === 'http' ? 'http' : `${SECTION}.${key}`) });
    }));
    // Trust granted: the workspace's own values of the restricted keys count from now on.
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.cached = undefined;
      this.changed.fire({ affects: (key) => ([...RESTRICTED_KEYS, ...RESTRICTED_INDEX_KEYS] as readonly string[]).includes(key) });
    }));
  }

  /** The settings now (read once per change, then kept). */
  get current(): CodexVaultSettings {
    return (this.cached ??= read());
  }

  /** Chooses the chat or embedding model in the user's settings. */
  async setModel(role: 'chat' | 'embedding', value: string): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(role === 'chat' ? 'chatModel' : 'embeddingModel', value, vscode.ConfigurationTarget.Global);
  }
}
