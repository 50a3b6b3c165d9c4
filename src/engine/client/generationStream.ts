// A generation in flight, as the caller sees it: an async iterator over text chunks as they
// arrive, plus the final result. Iterating is optional; `result` settles either way.
import type { GenerateResult } from '../protocol';

export interface GenerationStream extends AsyncIterable<string> {
  /** The final result (its text equals the concatenated chunks). */
  readonly result: Promise<GenerateResult>;
  /** Stops generation; the result keeps the text so far with stopReason 'cancelled'. */
  cancel(): void;
}

export class ChunkQueue implements AsyncIterable<string> {
  private readonly chunks: string[] = [];
  private waiting: { resolve: (r: IteratorResult<string>) => void; reject: (e: unknown) => void } | null = null;
  private done = false;
  private failure: unknown = null;

  push(chunk: string): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: chunk, done: false });
    } else {
      this.chunks.push(chunk);
    }
  }

  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = error ?? null;
    if (this.waiting && this.chunks.length === 0) {
      const w = this.waiting;
      this.waiting = null;
      if (this.failure) w.reject(this.failure);
      else w.resolve({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: (): Promise<IteratorResult<string>> => {
        const c = this.chunks.shift();
        if (c !== undefined) return Promise.resolve({ value: c, done: false });
        if (this.done) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiting = { resolve, reject };
        });
      },
    };
  }
}
