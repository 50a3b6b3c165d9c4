// A real HTTP server on 127.0.0.1 for the downloader tests: serves real bytes with Range and
// If-Range like a CDN does, and can misbehave on request (cut the connection, ignore Range,
// stall, fail with a status, redirect) so every path of the downloader meets a real socket.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Served {
  data: Buffer;
  etag?: string;
  lastModified?: string;
  /** Always answer 200 with the whole file (a server without Range support). */
  ignoreRange?: boolean;
  /** Honour Range but ignore If-Range (answer 206 even when the validator changed). */
  ignoreIfRange?: boolean;
  /** Close the connection after this many body bytes of the response (one entry per request; then normal). */
  cutAfter?: number[];
  /** Send the file's bytes up to this offset, then nothing more (the connection stays open). */
  stallAt?: number;
  /** Statuses to answer with before serving (e.g. [500, 503]). */
  failWith?: number[];
  /** Send the body in chunks of this size with a pause between them. */
  throttle?: { chunk: number; delayMs: number };
  /** No Content-Length: the body is sent chunked, and its end is the end of the file. */
  noLength?: boolean;
  /** Send these bytes instead of the file's (a server that sends more than it should). */
  body?: Buffer;
}

export interface RequestLog {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
}

export class FileServer {
  readonly routes = new Map<string, Served | { redirect: string; status?: number }>();
  readonly log: RequestLog[] = [];
  /** Body bytes handed to the sockets, per path (what a download costs the server). */
  readonly served = new Map<string, number>();
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  requestsFor(path: string): RequestLog[] {
    return this.log.filter((l) => l.path === path);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = this.routes.get(path);
    const entry: RequestLog = { path, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, status: 0 };
    this.log.push(entry);
    if (!route) {
      entry.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if ('redirect' in route) {
      entry.status = route.status ?? 302;
      res.writeHead(entry.status, { location: route.redirect }).end();
      return;
    }
    const failure = route.failWith?.shift();
    if (failure !== undefined) {
      entry.status = failure;
      res.writeHead(failure, { 'content-type': 'text/plain' }).end(`failure ${failure}`);
      return;
    }
    const total = route.data.length;
    const headers: Record<string, string> = { 'accept-ranges': route.ignoreRange ? 'none' : 'bytes', 'content-type': 'application/octet-stream' };
    if (route.etag) headers.etag = route.etag;
    if (route.lastModified) headers['last-modified'] = route.lastModified;
    let start = 0;
    let end = total - 1;
    let status = 200;
    const m = req.headers.range ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range) : null;
    const ifRange = req.headers['if-range'] as string | undefined;
    const validatorOk = !ifRange || route.ignoreIfRange || ifRange === route.etag || ifRange === route.lastModified;
    if (m && !route.ignoreRange && validatorOk) {
      start = Number(m[1]);
      if (m[2]) end = Math.min(end, Number(m[2]));
      if (start >= total) {
        entry.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${total}`;
    }
    if (!route.noLength) headers['content-length'] = String(end - start + 1);
    entry.status = status;
    res.writeHead(status, headers);
    const body = route.body ?? route.data.subarray(start, end + 1);
    const write = res.write.bind(res);
    const count = (b: Buffer): void => void this.served.set(path, (this.served.get(path) ?? 0) + b.length);
    res.write = ((chunk: Buffer, ...rest: never[]) => {
      count(chunk);
      return write(chunk, ...rest);
    }) as typeof res.write;
    const end_ = res.end.bind(res);
    res.end = ((chunk?: Buffer | (() => void), ...rest: never[]) => {
      if (Buffer.isBuffer(chunk)) count(chunk);
      return end_(chunk as never, ...rest);
    }) as typeof res.end;
    const cut = route.cutAfter?.shift();
    if (cut !== undefined) {
      // A graceful close (FIN) after exactly `cut` bytes: the client receives them all, then an early
      // end. (A destroy could send RST, after which the client's kernel may drop bytes it already had.)
      res.write(body.subarray(0, Math.min(cut, body.length)), () => res.socket?.end());
      return;
    }
    if (route.stallAt !== undefined) {
      // Bytes up to the stall offset, then nothing: the client must time out or cancel.
      if (route.stallAt > start) res.write(body.subarray(0, route.stallAt - start));
      return;
    }
    if (route.throttle) {
      const { chunk, delayMs } = route.throttle;
      let pos = 0;
      const next = (): void => {
        if (res.destroyed) return;
        if (pos >= body.length) {
          res.end();
          return;
        }
        res.write(body.subarray(pos, pos + chunk));
        pos += chunk;
        setTimeout(next, delayMs);
      };
      next();
      return;
    }
    res.end(body);
  }
}
