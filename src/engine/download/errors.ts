// Download failures, classified so that callers (CLI, extension) can say what happened and what
// to do: some are worth retrying (network, 5xx, stall), others are final (4xx, checksum, disk).

export type DownloadErrorKind =
  | 'http' // a final HTTP status (4xx other than 408/429), or 5xx after all retries
  | 'network' // connection refused/reset/closed early, after all retries
  | 'stall' // no data for the stall timeout, after all retries
  | 'redirect' // too many redirects, a redirect loop, or a redirect to a non-http(s) URL
  | 'checksum' // the finished file's SHA-256 differs from the expected one
  | 'size' // the server's size differs from the expected one
  | 'disk' // not enough free space
  | 'exists' // a different file already sits at the destination
  | 'busy' // another process is downloading the same file
  | 'cancelled';

export class DownloadError extends Error {
  constructor(readonly kind: DownloadErrorKind, message: string, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DownloadError';
  }
}

/** A failure worth another try (after a backoff). */
export class RetryableError extends Error {
  constructor(readonly kind: 'network' | 'stall' | 'http', message: string, readonly status?: number, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** Where to show a URL in messages: host and path, never the query (signed CDN URLs carry tokens there). */
export function describeUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return String(url);
  }
}
