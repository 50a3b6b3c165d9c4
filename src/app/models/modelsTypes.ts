// What the Models view is told about models: plain data that crosses the vault worker boundary.

export type ModelState =
  | 'not-downloaded' // a manifest model with nothing on disk
  | 'downloading' // a download is running now
  | 'partial' // a download was started and stopped (a .part, or some files of a split model)
  | 'unverified' // every file is there with the right size, not hashed since it changed
  | 'verified' // hashed and matching the manifest (or recorded as the user's local file)
  | 'mismatch' // size or SHA-256 not what it should be: unusable
  | 'missing' // a local model whose file is gone
  | 'loaded'; // loaded in the engine now

export type FitLevel = 'fits' | 'tight' | 'wont-fit';

export interface DownloadState {
  bytes: number;
  total: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  phase: 'hashing' | 'downloading';
  /** While the server sends nothing: for how long, and what happens next (in words). */
  waiting?: string;
}

export interface LoadedMemory {
  modelId: string;
  contextSize: number;
  purpose: 'generate' | 'embed';
  ramBytes: number;
  vramBytes: number;
  kvCacheBytes: number;
  gpu: string | false;
}

export interface ModelItem {
  /** Manifest id, or 'local:<absolute path>'. */
  id: string;
  source: 'manifest' | 'local';
  name: string;
  role: 'chat' | 'embedding' | null;
  /** The file to load (first part of a split model). */
  path: string;
  state: ModelState;
  /** Why it is in that state, in words (mismatch details, the last download error). */
  detail: string | null;
  sizeBytes: number;
  bytesPresent: number;
  quantization: string | null;
  description: string | null;
  license: string | null;
  download: DownloadState | null;
  fit: { level: FitLevel; message: string } | null;
  loaded: LoadedMemory | null;
}

export interface ModelsSnapshot {
  modelsDir: string;
  models: ModelItem[];
  /** Problems with user manifests (the default models are listed regardless). */
  problems: string[];
  /** The engine's memory figures while it runs (null when it is not running). */
  engine: { rssBytes: number; systemTotal: number; systemFree: number; vramTotal: number | null; vramUsed: number | null; busy: boolean } | null;
}

export interface ModelsConfig {
  /** Folder of downloaded models (created when needed). */
  modelsDir: string;
  /** A user manifest file (codexVault.manifestFile), if any. */
  manifestFile?: string;
  /** Local .gguf paths listed from settings (the strings of codexVault.extraModels). */
  extraModels?: string[];
  /** Manifest entries from settings (the objects of codexVault.extraModels), validated like a manifest. */
  settingsEntries?: unknown[];
  /** VS Code's http.proxy and http.proxyStrictSSL (else HTTPS_PROXY/NO_PROXY apply). */
  proxyUrl?: string;
  strictSSL?: boolean;
  /** codexVault.chatModel / embeddingModel: a manifest id or a local path (empty: none chosen). */
  chatModel?: string;
  embeddingModel?: string;
  contextSize: number;
  threads?: number;
  gpu: 'auto' | 'cpu';
  idleUnloadMs: number;
  lowMemoryWatermarkBytes: number;
}

export interface VerifyReport {
  id: string;
  match: boolean;
  /** One line per file: its name and what was found. */
  lines: string[];
}
