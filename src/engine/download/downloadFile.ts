// Downloads one file into the models folder so that it can be trusted:
// - bytes stream into `<file>.part`, hashed (SHA-256) as they are written;
// - an interrupted download (cancel, network error, crash, restart) resumes from the part with
//   Range + If-Range; the part is hashed first so the running hash covers every byte;
// - a server that ignores Range (200) or whose file changed (new validator) restarts from zero;
// - only a file whose size and SHA-256 match is moved to its final name, atomically and never over
//   an existing file; a mismatch deletes the part and says so.
// Redirects are followed (bounded), network errors, stalls and 5xx retried with backoff.
import { link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSha256Hex, sha256File } from '../checksum';
import { modelPath, partPath, sidecarPath } from '../models/fileNames';
import { ensureFreeSpace, formatBytes, freeBytes, DISK_MARGIN_BYTES } from './diskSpace';
import { DownloadError, RetryableError, describeUrl } from './errors';
import { classifyError, header, httpGet, type GetResponse } from './httpGet';
import { SpeedMeter, eta, type DownloadProgress } from './progress';
import type { DispatcherFor } from './proxy';
import { acquirePartLock, ifRangeValue, readPartState, writePartState, type PartState } from './partState';
import { PartWriteError, PartWriter } from './partWriter';
import { SilenceWatch } from './silenceWatch';

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
  /**
   * Consecutive stalled attempts (no byte for stallTimeoutMs) to retry before giving up. Default 1:
   * with the default 30 s stall timeout a silent server is given up on after about a minute, while
   * progress is reported as "waiting" with the reason (before: 6 stalls in a row, 213 s, in silence).
   */
  stallRetries?: number;
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
  const stallRetries = opts.stallRetries ?? 1;
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
  let writer: PartWriter | undefined;
  // What a failed download leaves behind: a part is kept for the next try unless it is empty, or
  // the disk is full and this server cannot resume (keeping it would only hold the disk full).
  let removePart = false;
  try {
    let state = await readPartState(sidecar);
    let partBytes = (await fileSize(part)) ?? 0;
    // A part is resumed only when its sidecar says it holds a prefix of the very file we expect.
    const trusted = state !== undefined && state.expectedSha256 === expectedSha256 && (state.expectedSize ?? undefined) === expectedSize && (expectedSize === undefined || partBytes <= expectedSize);
    if (!trusted) {
      partBytes = 0;
      state = undefined;
    }
    const resumedFrom = partBytes;
    const meter = new SpeedMeter();
    let lastReport = 0;
    const report = (bytes: number, total: number | undefined, phase: DownloadProgress['phase'], force = false, waiting?: string): void => {
      if (!opts.onProgress) return;
      const now = performance.now();
      if (!force && now - lastReport < interval) return;
      lastReport = now;
      const bps = phase === 'downloading' && !waiting ? meter.update(bytes) : 0;
      opts.onProgress({ bytes, total, bytesPerSecond: bps, etaSeconds: bps > 0 ? eta(bytes, total, bps) : undefined, phase, fileName: opts.fileName, ...(waiting ? { waiting } : {}) });
    };
    writer = await PartWriter.open(part, partBytes);
    if (expectedSize !== undefined) await ensureFreeSpace(opts.dir, expectedSize - partBytes, margin);

    let restarts = 0;
    let attempts = 0;
    let failures = 0;
    let stalls = 0;
    let urlIndex = 0;
    let total = expectedSize;
    /** Whether `total` is the server's own figure (Content-Length / Content-Range), not only the manifest's. */
    let announced = false;
    /** Whether the server serves ranges: a part it has sent can be continued later. */
    let resumable = false;
    const w = writer;
    const restart = async (): Promise<void> => {
      await w.restart();
      partBytes = 0;
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
      const silence = new SilenceWatch(url, stallTimeoutMs, (seconds, host) => {
        const left = Math.max(0, Math.min(stallRetries - stalls, retries - failures));
        report(w.received, total, 'downloading', true, `no data from ${host} for ${seconds} s; this try gives up after ${Math.round(stallTimeoutMs / 1000)} s without data${left > 0 ? `, then ${left} more ${left === 1 ? 'try' : 'tries'}` : ''}`);
      });
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
          resumable = true;
          if (cr.total !== undefined) {
            total = cr.total;
            announced = true;
          }
        } else {
          // 200: the whole file from byte 0 (Range ignored, or If-Range saw a changed file).
          if (partBytes > 0) await restart();
          resumable = /\bbytes\b/i.test(header(res.headers, 'accept-ranges') ?? '');
          const cl = header(res.headers, 'content-length');
          if (cl !== undefined && /^\d+$/.test(cl)) {
            total = Number(cl);
            announced = true;
          }
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
        const from = res.url;
        const body = res.body;
        try {
          await body.pipe((chunk) => {
            silence.data();
            if (total !== undefined && w.received + chunk.length > total) {
              throw new DownloadError(
                'size',
                announced
                  ? `${describeUrl(from)} sent more than the ${total} bytes it announced.`
                  : `${describeUrl(from)} sent more than ${total} bytes, the size ${opts.fileName} should have (the server announced no length).`,
              );
            }
            const room = w.write(chunk);
            report(w.received, total, 'downloading');
            if (!room) w.whenRoom(() => body.resume());
            return room;
          });
        } catch (err) {
          throw err instanceof PartWriteError || err instanceof DownloadError ? err : classifyError(err, from, signal);
        } finally {
          // Keep every byte received so far: the part and the hash stay in step for the next attempt.
          await w.drain().catch(() => undefined);
          partBytes = w.position;
        }
        // A write that failed in the last moments surfaces here.
        await w.drain();
        report(partBytes, total, 'downloading', true);
        if (total === undefined) total = partBytes; // no length announced: the end of the body is the end
        if (partBytes < total) throw new RetryableError('network', `The connection closed at ${partBytes} of ${total} bytes (${describeUrl(from)}).`);
      } catch (err) {
        if (signal.aborted) throw signal.reason ?? err;
        if (err instanceof PartWriteError) {
          const full = err.code === 'ENOSPC' || err.code === 'EDQUOT';
          removePart = full && !resumable;
          const onDisk = await w.sizeOnDisk().catch(() => partBytes);
          throw full ? await diskFull({ dir: opts.dir, part, fileName: opts.fileName, written: onDisk, total, margin, keep: !removePart }) : new DownloadError('disk', `Could not write ${part}: ${err.message}`, undefined, { cause: err });
        }
        if (partBytes > before) {
          // Progress was made: a flaky link may keep going.
          failures = 0;
          stalls = 0;
        }
        if (err instanceof RetryableError) {
          failures++;
          if (err.kind === 'stall') stalls++;
          // A server that sends nothing at all is given up on sooner than one that fails now and then.
          const givingUp = failures > retries || stalls > stallRetries;
          if (givingUp) {
            const kind = err.kind === 'http' ? 'http' : err.kind;
            const tries = err.kind === 'stall' ? `${stalls} ${stalls === 1 ? 'try' : 'tries'} in a row without a byte for ${Math.round(stallTimeoutMs / 1000)} s` : `${failures} attempts`;
            throw new DownloadError(kind, `${err.message} — gave up after ${tries}${partBytes > 0 ? `; ${formatBytes(partBytes)} kept in ${part} for the next try` : ''}.`, err.status, { cause: err });
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
          stalls = 0;
          continue;
        }
        throw err;
      } finally {
        silence.stop();
        // A response left unread (an error before its body was piped) would hold its connection paused.
        if (res) await res.body.dump();
      }
    }

    const sha256 = await w.finish((b) => report(b, partBytes, 'hashing'));
    await w.close();
    writer = undefined;
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
    if (writer) {
      await writer.close();
      writer = undefined;
      // An empty part is no progress worth keeping: leave the folder as it was.
      if (removePart || ((await fileSize(part)) ?? 0) === 0) {
        await rm(part, { force: true });
        await rm(sidecar, { force: true });
      }
    }
    throw err;
  } finally {
    await writer?.close();
    await releaseLock();
  }
}

/** The message for a disk that filled up mid-download: how much was written, what is needed, where, and what became of the part. */
async function diskFull(o: { dir: string; part: string; fileName: string; written: number; total: number | undefined; margin: number; keep: boolean }): Promise<DownloadError> {
  const free = await freeBytes(o.dir).catch(() => undefined);
  const needed = o.total === undefined ? undefined : o.total - o.written;
  const what = needed === undefined
    ? `${formatBytes(o.written)} of ${o.fileName} were written, and the server did not say how large it is`
    : `${formatBytes(o.written)} of ${o.fileName} were written and ${formatBytes(needed)} more are needed (${formatBytes(needed + o.margin)} with the margin kept free)`;
  const where = `The disk holding ${o.dir} is full${free === undefined ? '' : ` (${formatBytes(free)} free)`}: ${what}.`;
  const part = o.keep
    ? ` The partial download is kept (${o.part}): this server can resume, so once there is space, run the same download again and it continues from ${formatBytes(o.written)}.`
    : ` The partial download was deleted to free the space: this server cannot resume a download (it does not serve byte ranges), so the next try starts from zero${needed === undefined ? '' : ` and needs ${formatBytes(o.total! + o.margin)}`}.`;
  return new DownloadError('disk', where + part);
}
