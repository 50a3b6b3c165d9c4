// Typed access to the codexVault.* settings, workspace-trust aware.
// In an untrusted workspace the workspace's own values of model paths and manifests are ignored:
// those keys (package.json capabilities.untrustedWorkspaces.restrictedConfigurations) are read
// from the user's global value only, so a cloned repository cannot point the extension at a file.
import * as vscode from 'vscode';
import type { IndexSettings } from '../worker/protocol';

export const SECTION = 'codexVault';

/** Keys whose workspace values are ignored in untrusted workspaces. */
export const RESTRICTED_KEYS = ['modelsFolder', 'chatModel', 'embeddingModel', 'manifestFile', 'extraModels'] as const;
/** Restricted too (a cloned repository must not make the indexer follow links out of it): in `index`. */
export const RESTRICTED_INDEX_KEYS = ['followExternalSymlinks'] as const;
export type RestrictedKey = (typeof RESTRICTED_KEYS)[number] | (typeof RESTRICTED_INDEX_KEYS)[number];

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
  extraModels: string[];
  threads: number;
  gpu: 'auto' | 'cpu';
  contextSize: number;
  sampling: SamplingSettings;
  index: IndexSettings;
  indexOnStartup: boolean;
  idleUnloadMinutes: number;
  memoryWatermarkPercent: number;
  searchMode: 'lexical' | 'hybrid';
}

/**
 * Reads a restricted setting honouring workspace trust. Use this (not getConfiguration().get)
 * for every key in RESTRICTED_KEYS.
 */
export function readRestricted<T>(key: RestrictedKey, fallback: T): T {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  if (vscode.workspace.isTrusted) return cfg.get<T>(key, fallback);
  const inspected = cfg.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

function num(cfg: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = cfg.get<number>(key, fallback);
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : fallback;
}

function strings(cfg: vscode.WorkspaceConfiguration, key: string, fallback: string[]): string[] {
  const v = cfg.get<unknown>(key, fallback);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : fallback;
}

export function readSettings(): CodexVaultSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    modelsFolder: readRestricted('modelsFolder', ''),
    chatModel: readRestricted('chatModel', ''),
    embeddingModel: readRestricted('embeddingModel', ''),
    manifestFile: readRestricted('manifestFile', ''),
    extraModels: readRestricted<string[]>('extraModels', []),
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
      followExternalSymlinks: readRestricted<unknown>('followExternalSymlinks', false) === true,
    },
    indexOnStartup: cfg.get<boolean>('indexOnStartup', false),
    idleUnloadMinutes: num(cfg, 'idleUnloadMinutes', 10, 0, 1440),
    memoryWatermarkPercent: num(cfg, 'memoryWatermarkPercent', 90, 10, 100),
    searchMode: cfg.get<string>('search.mode') === 'hybrid' ? 'hybrid' : 'lexical',
  };
}

/** Settings that change what is indexed: a change re-scans without a reload. */
export function affectsIndex(e: vscode.ConfigurationChangeEvent): boolean {
  return ['include', 'exclude', 'maxFileSizeKB', 'followExternalSymlinks'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
