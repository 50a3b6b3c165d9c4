// The record store the verification gate needs, as an interface: src/engine depends on this
// shape only, and the vault's ModelRecords (src/app/models/modelRecords.ts) implements it.

export type ModelSource = 'manifest' | 'local';
export type ModelStatus = 'verified' | 'mismatch';
export type ModelRole = 'chat' | 'embedding';

export interface ModelRecord {
  /** Absolute path of the file. */
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  source: ModelSource;
  /** The manifest entry the file came from (manifest downloads only). */
  manifestId: string | null;
  /** What the manifest promised (manifest downloads only). */
  expectedSha256: string | null;
  status: ModelStatus;
  role: ModelRole | null;
  verifiedAt: number;
}

export interface ModelRecordStore {
  get(path: string): ModelRecord | undefined;
  put(record: ModelRecord): void;
  /** Records that the file at `path` (now `size`/`mtimeMs`, hashing to `sha256`) does not match. */
  markMismatch(path: string, sha256: string, size: number, mtimeMs: number): void;
}
