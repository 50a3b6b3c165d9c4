// Reads just the header of a remote GGUF file: one ranged GET for the first bytes, consumed
// until the header parses (then the connection is dropped). A Qwen-style header with a 150k-token
// vocabulary is a few MB; a 4 GB model is never fetched. A server that ignores Range (200) works
// too: the stream is cut as soon as the header is complete.
import { httpGet } from '../download/httpGet';
import { describeUrl } from '../download/errors';
import type { DispatcherFor } from '../download/proxy';
import { GgufPrefixError, NeedMoreBytes, parseGgufPrefix, type GgufPrefixInfo } from './ggufPrefix';

export interface RemoteHeader {
  info: GgufPrefixInfo;
  /** Size of the whole remote file, when the server said (Content-Range or Content-Length). */
  fileSize: number | undefined;
  /** Bytes actually transferred to read the header. */
  bytesRead: number;
  rangeSupported: boolean;
}

export interface RemoteHeaderOptions {
  dispatcherFor?: DispatcherFor;
  signal?: AbortSignal;
  /** Refuse headers larger than this. Default 32 MiB. */
  maxBytes?: number;
  timeoutMs?: number;
}

export async function readRemoteGgufHeader(url: string, opts: RemoteHeaderOptions = {}): Promise<RemoteHeader> {
  const maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await httpGet(url, {
      headers: { range: `bytes=0-${maxBytes - 1}`, 'accept-encoding': 'identity', 'user-agent': 'codex-vault/0.1 (gguf header)' },
      signal: controller.signal,
      dispatcherFor: opts.dispatcherFor,
      maxRedirects: 10,
      stallTimeoutMs: opts.timeoutMs ?? 15_000,
    });
    if (res.statusCode !== 200 && res.statusCode !== 206) {
      await res.body.dump().catch(() => undefined);
      throw new GgufPrefixError(`HTTP ${res.statusCode} from ${describeUrl(res.url)} while reading the GGUF header.`);
    }
    let fileSize: number | undefined;
    const cr = /\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
    if (res.statusCode === 206 && cr) fileSize = Number(cr[1]);
    else if (res.statusCode === 200 && /^\d+$/.test(String(res.headers['content-length'] ?? ''))) fileSize = Number(res.headers['content-length']);
    const chunks: Buffer[] = [];
    let length = 0;
    let needed = 24;
    for await (const chunk of res.body) {
      chunks.push(chunk as Buffer);
      length += (chunk as Buffer).length;
      if (length < needed) continue;
      const buf = Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(buf);
      try {
        const info = parseGgufPrefix(buf);
        controller.abort(); // the rest of the file is not wanted
        return { info, fileSize, bytesRead: length, rangeSupported: res.statusCode === 206 };
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err;
        if (err.needed > maxBytes) throw new GgufPrefixError(`The GGUF header of ${describeUrl(res.url)} is larger than ${maxBytes} bytes; not reading further.`);
        // Grow geometrically: re-parsing after every chunk would be quadratic in the header size.
        needed = Math.min(maxBytes, Math.max(err.needed, length * 2));
      }
    }
    throw new GgufPrefixError(`${describeUrl(res.url)} ended after ${length} bytes, before its GGUF header did.`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (!controller.signal.aborted) controller.abort();
  }
}
