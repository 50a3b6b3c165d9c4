// One GET with redirects followed by hand, so that the chain is bounded, loops are named, https
// never silently becomes http, and the Range/If-Range headers travel to the CDN the host
// redirects to. Errors are classified: a stall or a dropped connection is retryable, the caller's
// cancel is not.
import type { IncomingHttpHeaders } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { DownloadError, RetryableError, describeUrl } from './errors';
import type { DispatcherFor } from './proxy';

export interface GetOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  dispatcherFor?: DispatcherFor;
  maxRedirects: number;
  /** No headers, or no body bytes, for this long: the attempt fails as a stall. */
  stallTimeoutMs: number;
}

export interface GetResponse {
  url: URL;
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Dispatcher.ResponseData['body'];
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
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: 'GET',
        headers: opts.headers,
        signal: opts.signal,
        dispatcher: opts.dispatcherFor?.(url),
        headersTimeout: opts.stallTimeoutMs,
        bodyTimeout: opts.stallTimeoutMs,
        // The default 64 KiB body buffer, on purpose: when a connection drops, undici discards what
        // the body stream still buffers, so a deep buffer would throw away that much received data.
      });
    } catch (err) {
      throw classifyError(err, url, opts.signal);
    }
    if (!REDIRECTS.has(res.statusCode)) return { url, statusCode: res.statusCode, headers: res.headers, body: res.body };
    await res.body.dump().catch(() => undefined);
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
