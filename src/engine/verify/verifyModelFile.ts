// The verification gate: a model file loads only when its SHA-256 matches the manifest entry it
// was downloaded from, or when the user explicitly added it as a local model. Hashing a model
// takes seconds per gigabyte, so the hash is remembered with the (size, mtime) it was computed
// for and recomputed only when either changed.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sha256File, type HashProgress } from '../checksum';
import type { ModelRecord, ModelRecordStore, ModelRole } from './modelRecordStore';

export class ModelGateError extends Error {
  constructor(readonly code: 'unverified' | 'not-found', message: string) {
    super(message);
    this.name = 'ModelGateError';
  }
}

export interface HashOptions {
  onProgress?: (p: HashProgress) => void;
  signal?: AbortSignal;
}

export interface VerifyOutcome {
  record: ModelRecord;
  /** True when the file was hashed now (new, or its size/mtime changed); false when the cache held. */
  rehashed: boolean;
  /** True when the file may be loaded. */
  ok: boolean;
}

interface FileState {
  path: string;
  size: number;
  mtimeMs: number;
}

async function fileState(path: string): Promise<FileState> {
  const abs = resolve(path);
  try {
    const st = await stat(abs);
    if (!st.isFile()) throw new ModelGateError('not-found', `${abs} is not a file.`);
    return { path: abs, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
  } catch (err) {
    if (err instanceof ModelGateError) throw err;
    throw new ModelGateError('not-found', `Model file not found: ${abs}`);
  }
}

function unchanged(rec: ModelRecord | undefined, f: FileState): boolean {
  return rec !== undefined && rec.size === f.size && rec.mtimeMs === f.mtimeMs;
}

/** The file's hash, from the cache when size and mtime still match. */
async function hashOf(rec: ModelRecord | undefined, f: FileState, opts: HashOptions): Promise<{ sha256: string; rehashed: boolean }> {
  if (rec && unchanged(rec, f)) return { sha256: rec.sha256, rehashed: false };
  return { sha256: await sha256File(f.path, opts.onProgress, opts.signal), rehashed: true };
}

/** Verifies a manifest download against the SHA-256 its manifest entry promised, and records the outcome. */
export async function verifyModelFile(
  store: ModelRecordStore,
  path: string,
  expected: { sha256: string; manifestId: string; role?: ModelRole },
  opts: HashOptions = {},
): Promise<VerifyOutcome> {
  const f = await fileState(path);
  const rec = store.get(f.path);
  const { sha256, rehashed } = await hashOf(rec, f, opts);
  const ok = sha256.toLowerCase() === expected.sha256.toLowerCase();
  const record: ModelRecord = {
    ...f,
    sha256,
    source: 'manifest',
    manifestId: expected.manifestId,
    expectedSha256: expected.sha256.toLowerCase(),
    status: ok ? 'verified' : 'mismatch',
    role: expected.role ?? rec?.role ?? null,
    verifiedAt: Date.now(),
  };
  store.put(record);
  return { record, rehashed, ok };
}

/** The user vouches for a file: it is hashed (or the cached hash reused) and recorded as a local model. */
export async function addLocalModel(store: ModelRecordStore, path: string, opts: HashOptions & { role?: ModelRole } = {}): Promise<VerifyOutcome> {
  const f = await fileState(path);
  const rec = store.get(f.path);
  // A manifest download that is still intact stays a manifest record (it carries more: its entry).
  if (rec && unchanged(rec, f) && rec.source === 'manifest' && rec.status === 'verified') return { record: rec, rehashed: false, ok: true };
  const { sha256, rehashed } = await hashOf(rec, f, opts);
  const record: ModelRecord = { ...f, sha256, source: 'local', manifestId: null, expectedSha256: null, status: 'verified', role: opts.role ?? rec?.role ?? null, verifiedAt: Date.now() };
  store.put(record);
  return { record, rehashed, ok: true };
}

/**
 * The gate itself, run before every load: returns the file's record when it may be loaded, and
 * throws ModelGateError (with what to do about it) when not. A file changed since it was
 * recorded is re-hashed: a manifest file must still match its expected hash; a local file
 * keeps its standing (the user chose the path) with its new hash recorded.
 */
export async function checkModelLoadable(store: ModelRecordStore, path: string, opts: HashOptions = {}): Promise<VerifyOutcome> {
  const f = await fileState(path);
  const rec = store.get(f.path);
  if (!rec) {
    throw new ModelGateError('unverified', `${f.path} is not a verified model: it was neither downloaded and verified from the model manifest nor added as a local model. Add it as a local model (CLI: pass it with --model) or download it from the manifest.`);
  }
  if (unchanged(rec, f)) {
    if (rec.source === 'manifest' && (rec.status !== 'verified' || rec.sha256 !== rec.expectedSha256)) {
      throw new ModelGateError('unverified', `${f.path} failed verification: its SHA-256 ${rec.sha256} does not match ${rec.expectedSha256 ?? 'the manifest'} (manifest entry ${rec.manifestId ?? '?'}). Download it again.`);
    }
    if (rec.status !== 'verified') {
      throw new ModelGateError('unverified', `${f.path} failed verification (its SHA-256 is ${rec.sha256}). Add it as a local model again if you trust this file.`);
    }
    return { record: rec, rehashed: false, ok: true };
  }
  const sha256 = await sha256File(f.path, opts.onProgress, opts.signal);
  if (rec.source === 'manifest') {
    if (sha256 !== rec.expectedSha256) {
      store.markMismatch(f.path, sha256, f.size, f.mtimeMs);
      throw new ModelGateError('unverified', `${f.path} changed on disk since it was verified and no longer matches its manifest checksum (expected ${rec.expectedSha256 ?? '?'}, got ${sha256}). Download it again.`);
    }
    const record: ModelRecord = { ...rec, ...f, sha256, status: 'verified', verifiedAt: Date.now() };
    store.put(record);
    return { record, rehashed: true, ok: true };
  }
  const record: ModelRecord = { ...rec, ...f, sha256, status: 'verified', verifiedAt: Date.now() };
  store.put(record);
  return { record, rehashed: true, ok: true };
}
