// One GET over a direct connection (plain TCP or TLS), the transport for every download that no
// proxy carries. The response is parsed by http-parser-js; the socket reads into one reusable
// buffer (Node's `onread`), and body chunks are handed to the reader as views of it.
//
// WHY not undici here (proxied requests still use it, httpGet.ts): a socket read in the usual way
// allocates a fresh 64 KiB buffer per read, and at a few hundred MiB/s those buffers kept V8 busy
// with a full mark-compact every ~17 MiB (15 per 256 MiB, on two cores the largest cost of a
// download after hashing). Reading into one buffer makes no garbage per read
// (`npm run bench download` compares the two with curl in one run).
import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { OnReadOpts } from 'node:net';
import { HTTPParser } from 'http-parser-js';
import { BodyFeed } from './bodyFeed';
import { RetryableError, describeUrl } from './errors';
import type { GetOptions, ResponseBody } from './httpGet';

/** Bytes one socket read may deliver: large, so that a fast link costs few reads. */
const READ_BYTES = 512 * 1024;

/** A response head: the status and headers, names in lower case. */
interface Head {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

/** Folds http-parser-js's flat [name, value, ...] list the way Node's http module does. */
function toHeaders(flat: string[]): IncomingHttpHeaders {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    const prev = out[name];
    if (name === 'set-cookie') out[name] = [...((prev as string[] | undefined) ?? []), value];
    else out[name] = prev === undefined ? value : `${prev as string}, ${value}`;
  }
  return out as IncomingHttpHeaders;
}

/** The request's text; names and values were checked for line breaks by the caller's types. */
function requestText(url: URL, headers: Record<string, string>): string {
  const lines = [`GET ${url.pathname || '/'}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`A request header may not contain a line break (${JSON.stringify(name)}).`);
    if (name.toLowerCase() !== 'host' && name.toLowerCase() !== 'connection') lines.push(`${name}: ${value}`);
  }
  // One request per connection: a download is one long response, redirects go elsewhere.
  lines.push('connection: close', '', '');
  return lines.join('\r\n');
}

export function socketGet(url: URL, opts: GetOptions): Promise<Head & { body: ResponseBody }> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const tls = url.protocol === 'https:';
    const port = Number(url.port || (tls ? 443 : 80));
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    let head: ((h: Head) => void) | undefined = (h) => resolve({ ...h, body: feed.body });
    let failHead: ((err: unknown) => void) | undefined = reject;
    /** An informational (1xx) response came first: its end is not the body's. */
    let informational = false;
    let complete = false;
    let closed = false;
    /** The reader asked for a pause (or has not asked for the body yet): no reads, no stall timer. */
    let paused = false;

    const fail = (err: unknown): void => {
      if (closed) return;
      closed = true;
      onDone();
      socket.destroy();
      if (failHead) {
        failHead(err);
        head = failHead = undefined;
      } else feed.error(err);
    };
    const stall = (): void => fail(new RetryableError('stall', `The server stopped sending data (${describeUrl(url)}).`));
    const setPaused = (p: boolean): void => {
      paused = p;
      // No stall timer while nobody reads. (A paused socket does not hold the process open either:
      // a caller that fails between the head and the body leaves nothing running.)
      socket.setTimeout(p ? 0 : opts.stallTimeoutMs);
    };

    const feed = new BodyFeed(
      {
        pause: () => {
          setPaused(true);
          socket.pause();
        },
        resume: () => {
          if (closed) return;
          setPaused(false);
          socket.resume();
        },
        abort: (err) => fail(err),
      },
      true,
    );

    parser[HTTPParser.kOnHeadersComplete] = (info) => {
      if (info.statusCode >= 100 && info.statusCode < 200 && info.statusCode !== 101) {
        informational = true;
        return;
      }
      const headers = toHeaders(info.headers);
      const length = headers['content-length'];
      // http-parser-js reads a malformed length as NaN and would then lose the body in silence.
      if (length !== undefined && !/^\d+(\s*,\s*\d+)*$/.test(length)) {
        fail(new RetryableError('network', `${describeUrl(url)} sent an invalid Content-Length (${JSON.stringify(length.slice(0, 40))}).`));
        return;
      }
      if (info.upgrade) {
        fail(new RetryableError('network', `${describeUrl(url)} answered a download with a protocol switch (HTTP ${info.statusCode}).`));
        return;
      }
      // No byte of the body is read until someone asks for it (bytes already read wait in the feed).
      setPaused(true);
      head?.({ statusCode: info.statusCode, headers });
      head = failHead = undefined;
    };
    parser[HTTPParser.kOnBody] = (chunk, offset, length) => {
      if (!closed) feed.data(chunk.subarray(offset, offset + length));
    };
    parser[HTTPParser.kOnMessageComplete] = () => {
      if (informational) {
        informational = false;
        return;
      }
      if (closed || complete) return;
      complete = closed = true;
      onDone();
      socket.destroy();
      feed.end();
    };
    parser[HTTPParser.kOnHeaders] = () => undefined; // trailers: nothing a download needs

    const onread: OnReadOpts = {
      buffer: Buffer.allocUnsafe(READ_BYTES),
      callback: (n, buf) => {
        if (closed) return false;
        let r: number | Error;
        try {
          r = parser.execute(buf as Buffer, 0, n);
        } catch (err) {
          // Thrown out of a callback of ours: end this request with it rather than the process.
          r = err instanceof Error ? err : new Error(String(err));
        }
        if (r instanceof Error) fail(new RetryableError('network', `${describeUrl(url)} sent a malformed HTTP response (${r.message}).`));
        return !paused && !closed;
      },
    };
    const connectOpts = { host, port, onread };
    const socket: Socket = tls
      ? tlsConnect({ ...connectOpts, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] } as ConnectionOptions)
      : netConnect(connectOpts);
    socket.setTimeout(opts.stallTimeoutMs);
    socket.on('timeout', stall);
    socket.on('error', (err) => fail(err));
    const cut = (): Error => Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' });
    socket.on('end', () => {
      if (closed) return;
      parser.finish(); // a body that runs to the end of the connection (no length) ends here
      if (!complete) fail(cut());
    });
    socket.on('close', () => {
      if (!complete) fail(cut());
    });

    const onAbort = (): void => fail(opts.signal.reason);
    const onDone = (): void => opts.signal.removeEventListener('abort', onAbort);
    if (opts.signal.aborted) return fail(opts.signal.reason);
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      socket.write(requestText(url, opts.headers));
    } catch (err) {
      fail(err);
    }
  });
}
