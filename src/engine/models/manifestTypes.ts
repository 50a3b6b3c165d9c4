// The model manifest: what a model is (role, quantization, context, licence) and exactly which
// bytes make it up (each file's name, size and SHA-256, and where to download it). A model of
// several files (split GGUF shards) is usable only when every file is present and verified.

export const MANIFEST_VERSION = 1;

export type ModelRole = 'chat' | 'embedding';

export interface ManifestFile {
  /** Plain file name inside the models folder: no folders, no traversal (see fileNames.ts). */
  name: string;
  /** Exact size in bytes. */
  size: number;
  /** Lower-case hex SHA-256 of the whole file. */
  sha256: string;
  /** Download locations, tried in order (mirrors). http(s) only. */
  urls: string[];
}

export interface ManifestModel {
  id: string;
  name: string;
  role: ModelRole;
  quantization: string;
  /** Context length (tokens) the model was trained for. */
  contextLength: number;
  /** Output vector size; present exactly when role is 'embedding'. */
  embeddingDimension?: number;
  license: string;
  description: string;
  /** Architecture name as GGUF writes it (general.architecture), when known. */
  architecture?: string;
  /** Where the sizes and checksums were taken from (free text, shown to curious users). */
  provenance?: string;
  files: ManifestFile[];
}

export interface ModelManifest {
  version: typeof MANIFEST_VERSION;
  models: ManifestModel[];
}

/** Total download size of a model (all of its files). */
export function modelSize(m: Pick<ManifestModel, 'files'>): number {
  return m.files.reduce((s, f) => s + f.size, 0);
}
