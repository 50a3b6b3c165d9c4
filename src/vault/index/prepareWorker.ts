// The indexer's helper thread: reads, hashes, decodes and parses the files of the next batch
// while the indexer's own thread writes the current one into SQLite. On 10k notes the two halves
// are roughly 1/3 (files and markdown-it) and 2/3 (SQLite and FTS5) of the CPU time, so on two
// cores overlapping them takes about a third off the wall time of a full index.
//
// The worker is pure computation and file reads; it never touches the database, so the
// indexer's transactions, crash safety and cancellation are unchanged. Any failure of the
// worker makes the indexer prepare the remaining batches itself.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ScannedFile } from '../types';
import type { PreparedFile } from './prepareFile';

export interface PrepareJob {
  file: ScannedFile;
  /** The stored note's hash: unchanged bytes are answered 'same' without parsing. */
  knownHash?: string;
}

export interface PrepareRequest {
  id: number;
  jobs: PrepareJob[];
  maxFileBytes: number;
  maxChunkChars?: number;
}

export type PrepareResponse = { id: number; ok: true; results: PreparedFile[] } | { id: number; ok: false; error: string };

interface Pending {
  resolve(results: PreparedFile[]): void;
  reject(err: Error): void;
}

/**
 * Starts the worker: dist/prepare-worker.js beside the bundle (extension, vault worker, CLI), or,
 * when running from the TypeScript sources (tests, benches under tsx), the source entry with
 * tsx's require hook. Undefined when neither is there.
 */
function spawn(): Worker | undefined {
  const bundled = join(__dirname, 'prepare-worker.js');
  if (existsSync(bundled)) return new Worker(bundled);
  if (__filename.endsWith('.ts')) {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    const entry = join(__dirname, 'prepareWorkerMain.ts');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return undefined;
}

export class PrepareWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: PrepareResponse) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.results);
      else p.reject(new Error(msg.error));
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the prepare worker exited (code ${code})`)));
  }

  static start(): PrepareWorker | undefined {
    try {
      const w = spawn();
      return w ? new PrepareWorker(w) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Prepares the files in order; rejects if the worker fails (the caller then does it itself). */
  prepare(jobs: PrepareJob[], maxFileBytes: number, maxChunkChars: number | undefined): Promise<PreparedFile[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const req: PrepareRequest = { id, jobs, maxFileBytes, maxChunkChars };
    return new Promise<PreparedFile[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(req);
    });
  }

  /** Stops the worker; batches still pending are rejected (nobody waits for them any more). */
  async close(): Promise<void> {
    this.fail(new Error('the prepare worker was closed'));
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
