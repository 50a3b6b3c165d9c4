// One GET with redirects followed by hand, so that the chain is bounded, loops are named, https
// never silently becomes http, and the Range/If-Range headers travel to the CDN the host
// redirects to. Errors are classified: a stall or a dropped connection is retryable, the caller's
// cancel is not.
//
// The body is handed to the caller chunk by chunk, straight from the transport's parser (a plain
// socket for direct connections, socketGet.ts; undici's dispatch handler API through a proxy), not
// through a Readable stream and an async iterator: on loopback that stream machinery cost more CPU
// than hashing the bytes (measured in bench/download.bench.ts). The caller pauses the connection
// by returning false and resumes it when it has room.
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { BodyFeed } from './bodyFeed';
import { DownloadError, RetryableError, describeUrl } from './errors';
import type { DispatcherFor } from './proxy';
import { socketGet } from './socketGet';

export interface GetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  dispatcherFor?: DispatcherFor;
  maxRedirects: number;
  /** No headers, or no body bytes, for this long: the attempt fails as a stall. */
  stallTimeoutMs: number;
}

/** A response body not read yet: pipe it into a sink, or throw it away. */
export interface ResponseBody {
  /**
   * Delivers every chunk to `sink` until the body ends (resolves) or fails (rejects). `sink`
   * returns false to pause the connection, and the caller calls resume() once it has room. A
   * sink that throws ends the request with that error. A chunk is only valid during the call
   * (the transport reads into the same memory again): copy what you keep.
   */
  pipe(sink: (chunk: Buffer) => boolean): Promise<void>;
  resume(): void;
  /** Ends the request without reading the body (the connection is closed). */
  dump(): Promise<void>;
}

export interface GetResponse {
  url: URL;
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Turns an error thrown by undici into one of ours (the caller's abort passes through unchanged). */
export function classifyError(err: unknown, url: URL, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof DownloadError || err instanceof RetryableError) return err;
  const code = (err as { code?: unknown }).code;
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new RetryableError('stall', `The server stopped sending data (${describeUrl(url)}).`, undefined, undefined, { cause: err });
  }
  return new RetryableError('network', `Network error from ${describeUrl(url)}: ${typeof code === 'string' ? `${code} ` : ''}${msg}`, undefined, undefined, { cause: err });
}

/** One proxied request's undici handler: resolves with the response head, then feeds the body. */
class GetHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private head: { resolve: (r: { statusCode: number; headers: IncomingHttpHeaders }) => void; reject: (e: unknown) => void } | undefined;
  private readonly feed = new BodyFeed(
    {
      pause: () => this.controller?.pause(),
      resume: () => this.controller?.resume(),
      abort: (err) => this.abort(err),
    },
    false,
  );

  readonly response: Promise<{ statusCode: number; headers: IncomingHttpHeaders }>;
  readonly body = this.feed.body;

  constructor(private readonly signal: AbortSignal) {
    this.response = new Promise((resolve, reject) => {
      this.head = { resolve, reject };
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(this.signal.reason as Error);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // No byte of the body is read until someone asks for it.
    controller.pause();
    this.head?.resolve({ statusCode, headers });
    this.head = undefined;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.feed.data(chunk);
  }

  onResponseEnd(): void {
    this.feed.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    if (this.head) {
      this.head.reject(err);
      this.head = undefined;
      return;
    }
    this.feed.error(err);
  }

  abort(err: unknown): void {
    this.controller?.abort(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Sends one GET (no redirects followed); resolves when the response head has arrived. A direct
 * connection goes over a plain socket (socketGet.ts); one through a proxy over undici's ProxyAgent.
 */
function getOnce(url: URL, opts: GetOptions): Promise<{ statusCode: number; headers: IncomingHttpHeaders; body: ResponseBody }> {
  const proxied = opts.dispatcherFor?.(url);
  if (!proxied) return socketGet(url, opts);
  const handler = new GetHandler(opts.signal);
  const onAbort = (): void => handler.abort(opts.signal.reason);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  proxied.dispatch(
    {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: opts.headers,
      headersTimeout: opts.stallTimeoutMs,
      bodyTimeout: opts.stallTimeoutMs,
    },
    handler,
  );
  const cleanup = (): void => opts.signal.removeEventListener('abort', onAbort);
  const body: ResponseBody = {
    pipe: (sink) => handler.body.pipe(sink).finally(cleanup),
    resume: () => handler.body.resume(),
    dump: () => handler.body.dump().finally(cleanup),
  };
  return handler.response.then(
    (head) => ({ ...head, body }),
    (err: unknown) => {
      cleanup();
      throw err;
    },
  );
}

export async function httpGet(start: string, opts: GetOptions): Promise<GetResponse> {
  let url: URL;
  try {
    url = new URL(start);
  } catch {
    throw new DownloadError('http', `Not a valid URL: ${start}`);
  }
  const seen = [url.href];
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DownloadError('redirect', `Refusing to download from a ${url.protocol} URL (${describeUrl(url)}).`);
    opts.signal.throwIfAborted();
    let res: Awaited<ReturnType<typeof getOnce>>;
    try {
      res = await getOnce(url, opts);
    } catch (err) {
      throw classifyError(err, url, opts.signal);
    }
    if (!REDIRECTS.has(res.statusCode)) return { url, statusCode: res.statusCode, headers: res.headers, body: res.body };
    await res.body.dump();
    const location = header(res.headers, 'location');
    if (!location) throw new DownloadError('redirect', `HTTP ${res.statusCode} redirect without a Location header from ${describeUrl(url)}.`, res.statusCode);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new DownloadError('redirect', `Invalid redirect location ${JSON.stringify(location.slice(0, 200))} from ${describeUrl(url)}.`, res.statusCode);
    }
    if (url.protocol === 'https:' && next.protocol === 'http:') throw new DownloadError('redirect', `Refusing to follow a redirect from https to http (${describeUrl(url)} -> ${describeUrl(next)}).`);
    if (seen.includes(next.href)) throw new DownloadError('redirect', `Redirect loop: ${[...seen.slice(seen.indexOf(next.href)), next.href].map(describeUrl).join(' -> ')}.`);
    if (hop + 1 > opts.maxRedirects) throw new DownloadError('redirect', `Too many redirects (more than ${opts.maxRedirects}) starting at ${describeUrl(start)}.`);
    seen.push(next.href);
    url = next;
  }
}
