// Downloads one file into the models folder so that it can be trusted:
// - bytes stream into `<file>.part`, hashed (SHA-256) as they are written;
// - an interrupted download (cancel, network error, crash, restart) resumes from the part with
//   Range + If-Range; the part is hashed first so the running hash covers every byte;
// - a server that ignores Range (200) or whose file changed (new validator) restarts from zero;
// - only a file whose size and SHA-256 match is moved to its final name, atomically and never over
//   an existing file; a mismatch deletes the part and says so.
// Redirects are followed (bounded), network errors, stalls and 5xx retried with backoff.
import { createHash, type Hash } from 'node:crypto';
import { link, mkdir, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashInto, isSha256Hex, sha256File } from '../checksum';
import { modelPath, partPath, sidecarPath } from '../models/fileNames';
import { ensureFreeSpace, formatBytes, DISK_MARGIN_BYTES } from './diskSpace';
import { DownloadError, RetryableError, describeUrl } from './errors';
import { classifyError, header, httpGet, type GetResponse } from './httpGet';
import { SpeedMeter, eta, type DownloadProgress } from './progress';
import type { DispatcherFor } from './proxy';
import { acquirePartLock, ifRangeValue, readPartState, writePartState, type PartState } from './partState';

export interface DownloadFileOptions {
  /** Mirrors, tried in order; a final HTTP error on one moves to the next. */
  urls: string[];
  /** The models folder. */
  dir: string;
  /** Validated plain file name (see fileNames.ts). */
  fileName: string;
  expectedSha256: string;
  expectedSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Told about each failed attempt that will be retried (for logs). */
  onRetry?: (err: Error, delayMs: number) => void;
  dispatcherFor?: DispatcherFor;
  /** Consecutive failed attempts without new bytes before giving up. Default 5. */
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  stallTimeoutMs?: number;
  maxRedirects?: number;
  diskMarginBytes?: number;
  progressIntervalMs?: number;
  /** A remembered hash for an existing final file (path, size, mtime), to avoid re-hashing it. */
  knownSha256?: (path: string, size: number, mtimeMs: number) => string | undefined;
}

export interface DownloadFileResult {
  path: string;
  size: number;
  sha256: string;
  /** Bytes already in the part when this call started (0 for a fresh download). */
  resumedFrom: number;
  /** How many times the part was thrown away and started from zero. */
  restarts: number;
  /** HTTP exchanges made. */
  attempts: number;
  /** The verified file was already in place; nothing was downloaded. */
  alreadyPresent: boolean;
}

const BATCH_BYTES = 1024 * 1024;
const USER_AGENT = 'codex-vault/0.1 (model downloader)';

/** Content-Range: bytes <start>-<end>/<total|*> */
function parseContentRange(v: string | undefined): { start: number; end: number; total: number | undefined } | undefined {
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

function retryAfterMs(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Moves the verified part to its final name without ever replacing an existing file. */
async function installAtomically(part: string, final: string): Promise<void> {
  try {
    await link(part, final); // fails with EEXIST instead of overwriting
    await unlink(part);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new DownloadError('exists', `${final} appeared while downloading; the verified download is kept as ${part}.`);
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV') {
      if ((await fileSize(final)) !== undefined) throw new DownloadError('exists', `${final} appeared while downloading; the verified download is kept as ${part}.`);
      await rename(part, final);
      return;
    }
    throw err;
  }
}

class PartWriter {
  position: number;
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private pending: Promise<void> | undefined;

  constructor(private readonly fh: FileHandle, private readonly hash: Hash, start: number) {
    this.position = start;
  }

  /** Queues a chunk; hashing and writing happen in batches while the next bytes arrive. */
  async push(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batchBytes += chunk.length;
    if (this.batchBytes >= BATCH_BYTES) {
      if (this.pending) await this.pending;
      this.startFlush();
    }
  }

  private startFlush(): void {
    const chunks = this.batch;
    const bytes = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    if (bytes === 0) return;
    // Hash only what is handed to the file, so the hash always equals the part's bytes.
    for (const c of chunks) this.hash.update(c);
    const at = this.position;
    this.position += bytes;
    this.pending = this.writeAll(chunks, at, bytes);
  }

  private async writeAll(chunks: Buffer[], at: number, bytes: number): Promise<void> {
    let { bytesWritten } = await this.fh.writev(chunks, at);
    if (bytesWritten < bytes) {
      // A short write (rare on files): write the rest from one buffer.
      const rest = Buffer.concat(chunks).subarray(bytesWritten);
      while (bytesWritten < bytes) {
        const r = await this.fh.write(rest, bytesWritten - (bytes - rest.length), bytes - bytesWritten, at + bytesWritten);
        if (r.bytesWritten === 0) throw new Error('write made no progress');
        bytesWritten += r.bytesWritten;
      }
    }
  }

  /** Writes whatever is queued; after it, `position` bytes are in the file and in the hash. */
  async drain(): Promise<void> {
    if (this.pending) await this.pending;
    this.startFlush();
    if (this.pending) await this.pending;
    this.pending = undefined;
  }

  /** Bytes received so far (written or queued). */
  get received(): number {
    return this.position + this.batchBytes;
  }
}

export async function downloadFile(opts: DownloadFileOptions): Promise<DownloadFileResult> {
  const signal = opts.signal ?? new AbortController().signal;
  signal.throwIfAborted();
  if (!isSha256Hex(opts.expectedSha256)) throw new DownloadError('checksum', `Expected SHA-256 must be 64 hexadecimal characters, got ${JSON.stringify(opts.expectedSha256)}.`);
  if (opts.urls.length === 0) throw new DownloadError('http', `No download URL for ${opts.fileName}.`);
  const expectedSha256 = opts.expectedSha256.toLowerCase();
  const expectedSize = opts.expectedSize;
  const final = modelPath(opts.dir, opts.fileName);
  const part = partPath(final);
  const sidecar = sidecarPath(final);
  const retries = opts.retries ?? 5;
  const backoff = opts.backoffMs ?? 1000;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;
  const maxRedirects = opts.maxRedirects ?? 10;
  const margin = opts.diskMarginBytes ?? DISK_MARGIN_BYTES;
  const interval = opts.progressIntervalMs ?? 200;
  await mkdir(opts.dir, { recursive: true });

  // An existing file is either the very file we want (done) or something else (never replaced).
  const existing = await stat(final).catch(() => undefined);
  if (existing) {
    if (expectedSize !== undefined && existing.size !== expectedSize) {
      throw new DownloadError('exists', `A different ${opts.fileName} already exists in ${opts.dir} (${existing.size} bytes, expected ${expectedSize}); it was left alone. Move or delete it first.`);
    }
    const sha = opts.knownSha256?.(final, existing.size, existing.mtimeMs) ?? (await sha256File(final, undefined, signal));
    if (sha !== expectedSha256) throw new DownloadError('exists', `A different ${opts.fileName} already exists in ${opts.dir} (SHA-256 ${sha}, expected ${expectedSha256}); it was left alone. Move or delete it first.`);
    return { path: final, size: existing.size, sha256: sha, resumedFrom: 0, restarts: 0, attempts: 0, alreadyPresent: true };
  }

  const releaseLock = await acquirePartLock(`${part}.lock`, opts.fileName);
  let fh: FileHandle | undefined;
  try {
    let state = await readPartState(sidecar);
    let partBytes = (await fileSize(part)) ?? 0;
    // A part is resumed only when its sidecar says it holds a prefix of the very file we expect.
    const trusted = state !== undefined && state.expectedSha256 === expectedSha256 && (state.expectedSize ?? undefined) === expectedSize && (expectedSize === undefined || partBytes <= expectedSize);
    if (!trusted) {
      partBytes = 0;
      state = undefined;
    }
    fh = await open(part, partBytes > 0 ? 'r+' : 'w');
    if (partBytes > 0) await fh.truncate(partBytes);
    const resumedFrom = partBytes;
    let hash = createHash('sha256');
    const meter = new SpeedMeter();
    let lastReport = 0;
    const report = (bytes: number, total: number | undefined, phase: DownloadProgress['phase'], force = false): void => {
      if (!opts.onProgress) return;
      const now = performance.now();
      if (!force && now - lastReport < interval) return;
      lastReport = now;
      const bps = phase === 'downloading' ? meter.update(bytes) : 0;
      opts.onProgress({ bytes, total, bytesPerSecond: bps, etaSeconds: phase === 'downloading' ? eta(bytes, total, bps) : undefined, phase, fileName: opts.fileName });
    };
    if (partBytes > 0) {
      await hashInto(hash, part, 0, partBytes, (p) => report(p.bytes, expectedSize, 'hashing'), signal);
    }
    if (expectedSize !== undefined) await ensureFreeSpace(opts.dir, expectedSize - partBytes, margin);

    let restarts = 0;
    let attempts = 0;
    let failures = 0;
    let urlIndex = 0;
    let total = expectedSize;
    const restart = async (): Promise<void> => {
      await fh!.truncate(0);
      partBytes = 0;
      hash = createHash('sha256');
      restarts++;
      meter.reset();
    };

    for (;;) {
      if (total !== undefined && partBytes === total) break;
      signal.throwIfAborted();
      const url = opts.urls[urlIndex]!;
      attempts++;
      const before = partBytes;
      let res: GetResponse | undefined;
      try {
        const headers: Record<string, string> = { 'accept-encoding': 'identity', 'user-agent': USER_AGENT };
        if (partBytes > 0) {
          headers.range = `bytes=${partBytes}-`;
          const validator = state && state.url === url ? ifRangeValue(state) : undefined;
          if (validator) headers['if-range'] = validator;
        }
        res = await httpGet(url, { headers, signal, dispatcherFor: opts.dispatcherFor, maxRedirects, stallTimeoutMs });
        const status = res.statusCode;
        const etag = header(res.headers, 'etag') ?? null;
        const lastModified = header(res.headers, 'last-modified') ?? null;
        if (status === 416) {
          // Nothing past our offset: the part is either complete or longer than the file now is.
          await res.body.dump().catch(() => undefined);
          const cr = parseContentRange(header(res.headers, 'content-range')?.replace(/^bytes \*/, 'bytes 0-0'));
          if (cr?.total !== undefined && cr.total === partBytes && (expectedSize === undefined || expectedSize === partBytes)) {
            total = partBytes;
            break;
          }
          await restart();
          continue;
        }
        if (status === 408 || status === 429 || status >= 500) {
          await res.body.dump().catch(() => undefined);
          throw new RetryableError('http', `HTTP ${status} from ${describeUrl(res.url)}`, status, retryAfterMs(header(res.headers, 'retry-after')));
        }
        if (status !== 200 && status !== 206) {
          await res.body.dump().catch(() => undefined);
          throw new DownloadError('http', `HTTP ${status}${status === 404 ? ' Not Found' : status === 403 ? ' Forbidden' : status === 401 ? ' Unauthorized' : ''} from ${describeUrl(res.url)}.`, status);
        }
        if (status === 206) {
          const cr = parseContentRange(header(res.headers, 'content-range'));
          const changed = state?.etag && etag && etag !== state.etag;
          if (!cr || cr.start !== partBytes || changed) {
            // A range we did not ask for, or a different file than the one the part holds.
            await res.body.dump().catch(() => undefined);
            await restart();
            continue;
          }
          if (cr.total !== undefined) total = cr.total;
        } else {
          // 200: the whole file from byte 0 (Range ignored, or If-Range saw a changed file).
          if (partBytes > 0) await restart();
          const cl = header(res.headers, 'content-length');
          if (cl !== undefined && /^\d+$/.test(cl)) total = Number(cl);
        }
        if (expectedSize !== undefined && total !== undefined && total !== expectedSize) {
          await res.body.dump().catch(() => undefined);
          throw new DownloadError('size', `${describeUrl(res.url)} serves ${total} bytes, but ${opts.fileName} should be ${expectedSize} bytes: not the expected file.`);
        }
        if (expectedSize === undefined && total !== undefined) await ensureFreeSpace(opts.dir, total - partBytes, margin);
        // Remember the validator before writing, so a crash mid-stream can still resume safely.
        const validatorChanged = !state || state.url !== url || (etag ?? null) !== state.etag || (lastModified ?? null) !== state.lastModified;
        if (validatorChanged) {
          state = { version: 1, url, expectedSize: expectedSize ?? null, expectedSha256, etag, lastModified } satisfies PartState;
          await writePartState(sidecar, state);
        }
        const writer = new PartWriter(fh, hash, partBytes);
        try {
          for await (const chunk of res.body) {
            await writer.push(chunk as Buffer);
            report(writer.received, total, 'downloading');
            if (total !== undefined && writer.received > total) throw new DownloadError('size', `${describeUrl(res.url)} sent more than the ${total} bytes it announced.`);
          }
        } catch (err) {
          throw classifyError(err, res.url, signal);
        } finally {
          // Keep every byte received so far: the part and the hash stay in step for the next attempt.
          try {
            await writer.drain();
          } finally {
            partBytes = writer.position;
          }
        }
        report(partBytes, total, 'downloading', true);
        if (total === undefined) total = partBytes; // no length announced: the end of the body is the end
        if (partBytes < total) throw new RetryableError('network', `The connection closed at ${partBytes} of ${total} bytes (${describeUrl(res.url)}).`);
      } catch (err) {
        if (signal.aborted) throw signal.reason ?? err;
        if (partBytes > before) failures = 0; // progress was made: a flaky link may keep going
        if (err instanceof RetryableError) {
          failures++;
          if (failures > retries) {
            const kind = err.kind === 'http' ? 'http' : err.kind;
            throw new DownloadError(kind, `${err.message} — gave up after ${failures} attempts${partBytes > 0 ? `; ${formatBytes(partBytes)} kept in ${part} for the next try` : ''}.`, err.status, { cause: err });
          }
          const delay = Math.min(maxBackoff, err.retryAfterMs ?? backoff * 2 ** (failures - 1) * (0.75 + Math.random() * 0.5));
          opts.onRetry?.(err, delay);
          await sleep(delay, undefined, { signal });
          continue;
        }
        if (err instanceof DownloadError && (err.kind === 'http' || err.kind === 'redirect' || err.kind === 'size') && urlIndex + 1 < opts.urls.length) {
          opts.onRetry?.(err, 0);
          urlIndex++;
          failures = 0;
          continue;
        }
        throw err;
      }
    }

    await fh.sync();
    await fh.close();
    fh = undefined;
    const sha256 = hash.digest('hex');
    if ((expectedSize !== undefined && partBytes !== expectedSize) || sha256 !== expectedSha256) {
      await rm(part, { force: true });
      await rm(sidecar, { force: true });
      throw new DownloadError(
        'checksum',
        `${opts.fileName} does not match: expected ${expectedSize ?? '?'} bytes with SHA-256 ${expectedSha256}, got ${partBytes} bytes with SHA-256 ${sha256}. The download was deleted.`,
      );
    }
    await installAtomically(part, final);
    await rm(sidecar, { force: true });
    return { path: final, size: partBytes, sha256, resumedFrom, restarts, attempts, alreadyPresent: false };
  } catch (err) {
    // An empty part is no progress worth keeping: leave the folder as it was.
    if (fh) {
      const size = (await fh.stat().catch(() => undefined))?.size ?? 1;
      if (size === 0) {
        await fh.close().catch(() => undefined);
        fh = undefined;
        await rm(part, { force: true });
        await rm(sidecar, { force: true });
      }
    }
    throw err;
  } finally {
    await fh?.close().catch(() => undefined);
    await releaseLock();
  }
}
