// Hands a response body to its reader chunk by chunk, whatever transport carries it (undici's
// dispatch handler for proxied requests, a plain socket for direct ones): chunks that arrive
// before the reader or while it is paused wait here, and every byte received is handed over even
// after the connection fails, so that a resumed download never fetches a byte twice.
import type { ResponseBody } from './httpGet';

/** The connection under a body: what the feed may ask of it. */
export interface BodyFlow {
  pause(): void;
  resume(): void;
  abort(err: Error): void;
}

/** Thrown into the request when the body is dumped: not an error anyone sees. */
class Discarded extends Error {}

export class BodyFeed {
  private sink: ((chunk: Buffer) => boolean) | undefined;
  private readonly early: Buffer[] = [];
  private settled = false;
  /** The sink returned false: nothing more is fed until resume(). */
  private blocked = false;
  private sinkFailed = false;
  private ended = false;
  private failure: unknown;
  private done: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  /**
   * `transient`: the transport reuses a chunk's memory once data() returns (a socket reading into
   * one buffer), so a chunk that has to wait is copied.
   */
  constructor(private readonly flow: BodyFlow, private readonly transient: boolean) {}

  /** A chunk of the body arrived. */
  data(chunk: Buffer): void {
    if (!this.sink || this.blocked) {
      this.early.push(this.transient ? Buffer.from(chunk) : chunk);
      return;
    }
    this.feed(chunk);
  }

  /** The body ended, complete. */
  end(): void {
    this.ended = true;
    this.finish();
  }

  /** The connection failed mid-body. */
  error(err: unknown): void {
    this.failure ??= err;
    this.finish();
  }

  private feed(chunk: Buffer): void {
    let more: boolean;
    try {
      more = this.sink!(chunk);
    } catch (err) {
      this.sinkFailed = true;
      this.failure ??= err;
      this.flow.abort(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (!more) {
      this.blocked = true;
      this.flow.pause();
    }
  }

  private finish(): void {
    if (this.settled || !this.done || this.early.length > 0) return;
    if (this.failure === undefined && !this.ended) return;
    this.settled = true;
    if (this.failure !== undefined && !(this.failure instanceof Discarded)) this.done.reject(this.failure);
    else this.done.resolve();
  }

  readonly body: ResponseBody = {
    pipe: (sink) => {
      if (this.sink || this.done) return Promise.reject(new Error('The response body is already being read.'));
      const p = new Promise<void>((resolve, reject) => {
        this.done = { resolve, reject };
      });
      this.sink = sink;
      this.body.resume();
      return p;
    },
    resume: () => {
      this.blocked = false;
      // Chunks that arrived before the sink (or after a pause) first, as long as it takes them;
      // even after a network error, so that every byte received is kept.
      while (this.early.length > 0 && !this.sinkFailed) {
        this.feed(this.early.shift()!);
        if (this.blocked) return;
      }
      this.early.length = 0;
      if (this.failure !== undefined || this.ended) return this.finish();
      this.flow.resume();
    },
    dump: async () => {
      if (this.ended || this.failure !== undefined) return;
      this.failure = new Discarded('discarded');
      this.flow.abort(this.failure as Error);
    },
  };
}
