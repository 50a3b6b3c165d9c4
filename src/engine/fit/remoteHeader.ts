// Reads just the header of a remote GGUF file, progressively: a first ranged GET for 256 KiB (most
// headers are a few KiB; one with a 150k-token vocabulary a few MB), then further ranges only as
// the parser asks for more, each starting where the last one ended. Asking for 32 MiB at once,
// as before, made a server send a whole small model (and megabytes of a large one) for a fit
// check that needed a few KiB. A server that ignores Range (200) works too: its stream is cut as
// soon as the header parses.
import { httpGet, type GetResponse } from '../download/httpGet';
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
  /** HTTP requests made. */
  requests: number;
}

export interface RemoteHeaderOptions {
  dispatcherFor?: DispatcherFor;
  signal?: AbortSignal;
  /** Refuse headers larger than this. Default 32 MiB. */
  maxBytes?: number;
  /** The first range asked for. Default 256 KiB. */
  firstBytes?: number;
  timeoutMs?: number;
}

/** Thrown out of a body sink to stop the transfer once the header has parsed. */
class Parsed {
  constructor(readonly info: GgufPrefixInfo) {}
}

export async function readRemoteGgufHeader(url: string, opts: RemoteHeaderOptions = {}): Promise<RemoteHeader> {
  const maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  let want = Math.min(maxBytes, opts.firstBytes ?? 256 * 1024);
  const signal = opts.signal ?? new AbortController().signal;
  let have = Buffer.alloc(0);
  let bytesRead = 0;
  let fileSize: number | undefined;
  for (let requests = 1; ; requests++) {
    const res = await httpGet(url, {
      headers: { range: `bytes=${have.length}-${want - 1}`, 'accept-encoding': 'identity', 'user-agent': 'codex-vault/0.1 (gguf header)' },
      signal,
      dispatcherFor: opts.dispatcherFor,
      maxRedirects: 10,
      stallTimeoutMs: opts.timeoutMs ?? 15_000,
    });
    const cr = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? '').trim());
    if (res.statusCode === 200) {
      // No ranges: the whole file streams from byte 0; parse as it comes and hang up when done.
      const cl = String(res.headers['content-length'] ?? '');
      const { info, read } = await parseStream(res, maxBytes);
      return { info, fileSize: /^\d+$/.test(cl) ? Number(cl) : undefined, bytesRead: bytesRead + read, rangeSupported: false, requests };
    }
    if (res.statusCode !== 206 || !cr || Number(cr[1]) !== have.length) {
      await res.body.dump();
      throw new GgufPrefixError(`HTTP ${res.statusCode}${res.statusCode === 206 ? ' with an unexpected range' : ''} from ${describeUrl(res.url)} while reading the GGUF header.`);
    }
    if (cr[2] !== '*') fileSize = Number(cr[2]);
    const chunks: Buffer[] = [have];
    await res.body.pipe((c) => {
      chunks.push(Buffer.from(c)); // a chunk is only valid during the call
      bytesRead += c.length;
      return true;
    });
    have = Buffer.concat(chunks);
    try {
      return { info: parseGgufPrefix(have), fileSize, bytesRead, rangeSupported: true, requests };
    } catch (err) {
      if (!(err instanceof NeedMoreBytes)) throw err;
      if (err.needed > maxBytes) throw new GgufPrefixError(`The GGUF header of ${describeUrl(res.url)} is larger than ${maxBytes} bytes; not reading further.`);
      if (have.length < want || (fileSize !== undefined && have.length >= fileSize)) {
        throw new GgufPrefixError(`${describeUrl(res.url)} ended after ${have.length} bytes, before its GGUF header did.`);
      }
      // Grow geometrically: re-parsing after every small range would be quadratic in the header size.
      want = Math.min(maxBytes, Math.max(err.needed, have.length * 2));
    }
  }
}

/** Reads a whole-file (200) response until its header parses; the transfer is then cut. */
async function parseStream(res: GetResponse, maxBytes: number): Promise<{ info: GgufPrefixInfo; read: number }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let needed = 24;
  try {
    await res.body.pipe((chunk) => {
      chunks.push(Buffer.from(chunk)); // a chunk is only valid during the call
      length += chunk.length;
      if (length < needed) return true;
      const buf = Buffer.concat(chunks);
      chunks.length = 0;
      chunks.push(buf);
      try {
        throw new Parsed(parseGgufPrefix(buf));
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err;
        if (err.needed > maxBytes) throw new GgufPrefixError(`The GGUF header of ${describeUrl(res.url)} is larger than ${maxBytes} bytes; not reading further.`);
        needed = Math.min(maxBytes, Math.max(err.needed, length * 2));
        return true;
      }
    });
  } catch (err) {
    if (err instanceof Parsed) return { info: err.info, read: length };
    throw err;
  }
  throw new GgufPrefixError(`${describeUrl(res.url)} ended after ${length} bytes, before its GGUF header did.`);
}
