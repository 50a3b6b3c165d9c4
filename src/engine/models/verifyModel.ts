// `Verify`: hash a model file (or reuse the hash remembered for its path, size and mtime) and
// compare it with what it should be: an explicit SHA-256, else the manifest entry that names the
// file, else what the records say it was. A mismatch is recorded, so the file becomes unusable.
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { isSha256Hex, sha256File, type HashProgress } from '../checksum';
import type { ModelRecord, ModelRecordStore } from '../verify/modelRecordStore';
import type { SourcedModel } from './manifestSources';

export type ExpectedFrom = 'argument' | 'manifest' | 'record';

export interface VerifyFileResult {
  path: string;
  size: number;
  sha256: string;
  expectedSha256: string | null;
  expectedSize: number | null;
  expectedFrom: ExpectedFrom | null;
  /** null when there was nothing to compare with. */
  match: boolean | null;
  /** True when the remembered hash was used (file unchanged since it was hashed). */
  cached: boolean;
  manifestId: string | null;
  /** Why it does not match, in words. */
  detail: string | null;
}

export interface VerifyFileOptions {
  expectedSha256?: string;
  models?: readonly SourcedModel[];
  store?: ModelRecordStore;
  /** Hash again even when a remembered hash is fresh. */
  force?: boolean;
  onProgress?: (p: HashProgress) => void;
  signal?: AbortSignal;
}

export class VerifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyError';
  }
}

export async function verifyFile(file: string, opts: VerifyFileOptions = {}): Promise<VerifyFileResult> {
  const path = resolve(file);
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new VerifyError(`File not found: ${path}`);
  }
  if (!st.isFile()) throw new VerifyError(`${path} is not a file.`);
  if (opts.expectedSha256 !== undefined && !isSha256Hex(opts.expectedSha256)) throw new VerifyError(`--sha256 must be 64 hexadecimal characters, got ${JSON.stringify(opts.expectedSha256)}.`);
  const size = st.size;
  const mtimeMs = Math.trunc(st.mtimeMs);
  const rec = opts.store?.get(path);

  // What the file should be, most explicit first.
  const name = basename(path).toLowerCase();
  const entry = opts.models?.flatMap((s) => s.model.files.map((f) => ({ s, f }))).find(({ f }) => f.name.toLowerCase() === name);
  let expectedSha256: string | null = null;
  let expectedSize: number | null = null;
  let expectedFrom: ExpectedFrom | null = null;
  let manifestId: string | null = null;
  if (opts.expectedSha256) {
    expectedSha256 = opts.expectedSha256.toLowerCase();
    expectedFrom = 'argument';
  } else if (entry) {
    expectedSha256 = entry.f.sha256;
    expectedSize = entry.f.size;
    expectedFrom = 'manifest';
    manifestId = entry.s.model.id;
  } else if (rec) {
    expectedSha256 = rec.expectedSha256 ?? rec.sha256;
    expectedFrom = 'record';
    manifestId = rec.manifestId;
  }

  const fresh = rec !== undefined && rec.size === size && Math.trunc(rec.mtimeMs) === mtimeMs;
  const cached = fresh && !opts.force;
  const sha256 = cached ? rec.sha256 : await sha256File(path, opts.onProgress, opts.signal);
  let match: boolean | null = null;
  let detail: string | null = null;
  if (expectedSha256) {
    match = sha256 === expectedSha256 && (expectedSize === null || expectedSize === size);
    if (!match) detail = expectedSize !== null && expectedSize !== size ? `size ${size} bytes, expected ${expectedSize}` : `SHA-256 ${sha256}, expected ${expectedSha256}`;
  }

  if (opts.store && match !== null) {
    const now = Date.now();
    if (entry && expectedFrom === 'manifest') {
      const record: ModelRecord = { path, size, mtimeMs, sha256, source: 'manifest', manifestId, expectedSha256, status: match ? 'verified' : 'mismatch', role: entry.s.model.role, verifiedAt: now };
      opts.store.put(record);
    } else if (rec) {
      if (match) opts.store.put({ ...rec, size, mtimeMs, sha256, status: 'verified', verifiedAt: now });
      else opts.store.markMismatch(path, sha256, size, mtimeMs);
    } else if (match) {
      // Matched a hash the user gave: the user vouches for this file, so it becomes a local model.
      opts.store.put({ path, size, mtimeMs, sha256, source: 'local', manifestId: null, expectedSha256: null, status: 'verified', role: null, verifiedAt: now });
    }
  }
  return { path, size, sha256, expectedSha256, expectedSize, expectedFrom, match, cached, manifestId, detail };
}
