// The models a user can pick from, with where each stands on this machine:
// - available: nothing on disk yet (can be downloaded);
// - partial: a download was started (a .part file) or only some files of a split model are there;
// - unverified: every file is there with the right size but has not been hashed since it last changed;
// - verified: every file is there and its SHA-256 matched the manifest (remembered by path, size, mtime);
// - mismatch: a file is there but its size or SHA-256 is not what the manifest says (unusable).
// Local GGUF files the user added (hashed and recorded, source 'local') are listed beside them.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ModelRecord, ModelRecordStore } from '../verify/modelRecordStore';
import { modelPath, partPath } from './fileNames';
import type { ManifestFile, ManifestModel } from './manifestTypes';
import { modelSize } from './manifestTypes';
import type { ManifestOrigin, SourcedModel } from './manifestSources';

export type FileStatus = 'missing' | 'partial' | 'unverified' | 'verified' | 'mismatch';
export type ModelStatus = 'available' | 'partial' | 'unverified' | 'verified' | 'mismatch';

export interface CatalogFile {
  name: string;
  path: string;
  status: FileStatus;
  /** Bytes on disk (the final file, or the .part). */
  bytesPresent: number;
  expectedSize: number;
  /** Why a file is 'mismatch' (size or hash). */
  detail?: string;
}

export interface ManifestEntry {
  kind: 'manifest';
  id: string;
  model: ManifestModel;
  origin: ManifestOrigin;
  status: ModelStatus;
  files: CatalogFile[];
  totalBytes: number;
  bytesPresent: number;
  /** The file to load (the first part of a split model). */
  path: string;
}

export interface LocalEntry {
  kind: 'local';
  id: string;
  path: string;
  name: string;
  role: ModelRecord['role'];
  status: 'verified' | 'unverified' | 'missing';
  size: number;
  sha256: string;
}

export type CatalogEntry = ManifestEntry | LocalEntry;

/** The store may also list all records (ModelRecords does); only then are local models shown. */
type ListingStore = ModelRecordStore & { all?: () => ModelRecord[] };

async function statOrUndefined(p: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const s = await stat(p);
    return s.isFile() ? { size: s.size, mtimeMs: Math.trunc(s.mtimeMs) } : undefined;
  } catch {
    return undefined;
  }
}

export async function fileStatus(dir: string, f: ManifestFile, store?: ModelRecordStore): Promise<CatalogFile> {
  const path = modelPath(dir, f.name);
  const base = { name: f.name, path, expectedSize: f.size };
  const st = await statOrUndefined(path);
  if (st) {
    if (st.size !== f.size) return { ...base, status: 'mismatch', bytesPresent: st.size, detail: `size ${st.size} bytes, expected ${f.size}` };
    const rec = store?.get(path);
    if (rec && rec.size === st.size && Math.trunc(rec.mtimeMs) === st.mtimeMs) {
      if (rec.sha256 === f.sha256) return { ...base, status: 'verified', bytesPresent: st.size };
      return { ...base, status: 'mismatch', bytesPresent: st.size, detail: `SHA-256 ${rec.sha256}, expected ${f.sha256}` };
    }
    return { ...base, status: 'unverified', bytesPresent: st.size };
  }
  const part = await statOrUndefined(partPath(path));
  if (part) return { ...base, status: 'partial', bytesPresent: part.size };
  return { ...base, status: 'missing', bytesPresent: 0 };
}

export function modelStatus(files: readonly CatalogFile[]): ModelStatus {
  if (files.some((f) => f.status === 'mismatch')) return 'mismatch';
  if (files.every((f) => f.status === 'verified')) return 'verified';
  if (files.every((f) => f.status === 'missing')) return 'available';
  if (files.every((f) => f.status === 'verified' || f.status === 'unverified')) return 'unverified';
  return 'partial';
}

export async function manifestEntry(dir: string, s: SourcedModel, store?: ModelRecordStore): Promise<ManifestEntry> {
  const files = await Promise.all(s.model.files.map((f) => fileStatus(dir, f, store)));
  return {
    kind: 'manifest',
    id: s.model.id,
    model: s.model,
    origin: s.origin,
    status: modelStatus(files),
    files,
    totalBytes: modelSize(s.model),
    bytesPresent: files.reduce((n, f) => n + f.bytesPresent, 0),
    path: files[0]!.path,
  };
}

async function localEntries(store: ListingStore | undefined, manifestPaths: Set<string>): Promise<LocalEntry[]> {
  if (!store?.all) return [];
  const out: LocalEntry[] = [];
  for (const r of store.all()) {
    if (r.source !== 'local' || manifestPaths.has(r.path)) continue;
    const st = await statOrUndefined(r.path);
    const status = !st ? 'missing' : st.size === r.size && st.mtimeMs === Math.trunc(r.mtimeMs) ? 'verified' : 'unverified';
    out.push({ kind: 'local', id: `local:${r.path}`, path: r.path, name: basename(r.path), role: r.role, status, size: r.size, sha256: r.sha256 });
  }
  return out;
}

/** Every manifest model (with its status in `dir`) followed by the user's local models. */
export async function buildCatalog(dir: string, models: readonly SourcedModel[], store?: ListingStore): Promise<CatalogEntry[]> {
  const entries = await Promise.all(models.map((s) => manifestEntry(dir, s, store)));
  const paths = new Set(entries.flatMap((e) => e.files.map((f) => f.path)));
  return [...entries, ...(await localEntries(store, paths))];
}
