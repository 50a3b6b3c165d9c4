// SHA-256 of a download's part, computed on a hashing thread that follows the file as the
// download writes it (fileHasherMain.ts), so hashing runs in parallel with the network and the
// download's thread only receives and writes. The hash is of the bytes in the file, by
// construction: a write that failed half way is hashed as far as it got.
//
// WHY a thread that reads back rather than one that is handed the chunks: handing them over means
// copying every byte into shared memory on the download's thread (measured: more than hashing them
// in place costs on a loaded machine); reading back just-written pages from the page cache costs
// the same copy, on the hasher's thread instead.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FollowingHash, type FileHasherReply, type FileHasherRequest } from './followingHash';

/** The hasher thread: dist/file-hasher.js beside the bundle, or the TypeScript source under tsx. */
function spawn(): Worker | undefined {
  const bundled = join(__dirname, 'file-hasher.js');
  if (existsSync(bundled)) return new Worker(bundled);
  const entry = join(__dirname, 'fileHasherMain.ts');
  if (__filename.endsWith('.ts') && existsSync(entry)) {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return undefined;
}

/**
 * The one hashing thread of the process, started on the first download and kept (unref'd while no
 * download runs, so it never holds the process open): starting a thread per download cost more CPU
 * than a tenth of a 256 MiB download's hashing (a fresh isolate, its modules compiled again).
 * Module-scoped like libuv's own pool, because it is a pool of threads, not a service.
 */
class HashingThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, FileHasher>();
  private nextJob = 1;

  /** Registers a part to hash; undefined when no thread can be started (hash on the caller's). */
  attach(hasher: FileHasher, path: string): number | undefined {
    const w = this.worker ?? this.start();
    if (!w) return undefined;
    const job = this.nextJob++;
    this.jobs.set(job, hasher);
    w.ref();
    w.postMessage({ op: 'open', job, path } satisfies FileHasherRequest);
    return job;
  }

  private start(): Worker | undefined {
    let w: Worker | undefined;
    try {
      w = spawn();
    } catch {
      return undefined;
    }
    if (!w) return undefined;
    this.worker = w;
    w.on('message', (m: FileHasherReply) => this.jobs.get(m.job)?.onReply(m));
    w.on('error', (err) => this.lost(w, new Error(`The download's hashing thread failed: ${err.message}`)));
    w.on('exit', (code) => this.lost(w, new Error(`The download's hashing thread exited (code ${code}).`)));
    return w;
  }

  send(m: FileHasherRequest): void {
    this.worker?.postMessage(m);
  }

  detach(job: number): void {
    if (!this.jobs.delete(job)) return;
    this.send({ op: 'close', job });
    if (this.jobs.size === 0) this.worker?.unref();
  }

  private lost(w: Worker, err: Error): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const j of jobs) j.fail(err);
  }
}

const thread = new HashingThread();

export class FileHasher {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: { sha256: string; bytes: number }) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private onProgress: ((bytes: number) => void) | undefined;
  private job: number | undefined;
  private inline: FollowingHash | undefined;

  private constructor() {}

  /** A hasher for the part at `path` (on the hashing thread when one can be had, else on this one). */
  static start(path: string): FileHasher {
    const h = new FileHasher();
    h.job = thread.attach(h, path);
    if (h.job === undefined) h.inline = new FollowingHash(path);
    return h;
  }

  /** The first `upTo` bytes of the file are written: hash them (in the background). */
  hashTo(upTo: number): void {
    this.send({ op: 'to', upTo });
  }

  /** The file was truncated to zero. */
  reset(): void {
    this.send({ op: 'reset' });
  }

  /** Waits for everything asked so far to be hashed; `onProgress` hears how far while it waits. */
  digest(onProgress?: (bytes: number) => void): Promise<{ sha256: string; bytes: number }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inline) return Promise.resolve({ sha256: this.inline.digest(), bytes: this.inline.position });
    this.onProgress = onProgress;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ op: 'digest', id });
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('closed'));
    this.inline?.close();
    if (this.job !== undefined) thread.detach(this.job);
    this.job = undefined;
  }

  /** A reply from the hashing thread about this part. */
  onReply(m: FileHasherReply): void {
    if (m.op === 'progress') this.onProgress?.(m.bytes);
    else if (m.op === 'digest') {
      this.waiting.get(m.id)?.resolve(m);
      this.waiting.delete(m.id);
    } else this.fail(new Error(`Hashing the download failed: ${m.message}`));
  }

  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }

  private send(m: { op: 'to'; upTo: number } | { op: 'reset' } | { op: 'digest'; id: number }): void {
    if (this.failure) return;
    if (this.job !== undefined) return thread.send({ ...m, job: this.job });
    try {
      if (m.op === 'to') this.inline!.readTo(m.upTo);
      else if (m.op === 'reset') this.inline!.reset();
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
