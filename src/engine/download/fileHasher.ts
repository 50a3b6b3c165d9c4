// SHA-256 of a download's part, computed on a thread of its own that follows the file as the
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
function spawn(path: string): Worker | undefined {
  const bundled = join(__dirname, 'file-hasher.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: { path } });
  const entry = join(__dirname, 'fileHasherMain.ts');
  if (__filename.endsWith('.ts') && existsSync(entry)) {
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: { path } });
  }
  return undefined;
}

export class FileHasher {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: { sha256: string; bytes: number }) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;
  private onProgress: ((bytes: number) => void) | undefined;

  private constructor(private readonly worker: Worker | undefined, private readonly inline: FollowingHash | undefined) {
    worker?.on('message', (m: FileHasherReply) => {
      if (m.op === 'progress') this.onProgress?.(m.bytes);
      else if (m.op === 'digest') {
        this.waiting.get(m.id)?.resolve(m);
        this.waiting.delete(m.id);
      } else this.fail(new Error(`Hashing the download failed: ${m.message}`));
    });
    worker?.on('error', (err) => this.fail(new Error(`The download's hashing thread failed: ${err.message}`)));
    worker?.on('exit', (code) => this.fail(new Error(`The download's hashing thread exited (code ${code}).`)));
  }

  /** A hasher for the part at `path` (on a thread when one can be started, else on this one). */
  static start(path: string): FileHasher {
    let worker: Worker | undefined;
    try {
      worker = spawn(path);
    } catch {
      worker = undefined;
    }
    return worker ? new FileHasher(worker, undefined) : new FileHasher(undefined, new FollowingHash(path));
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
    this.failure ??= new Error('closed');
    this.inline?.close();
    await this.worker?.terminate();
  }

  private send(m: FileHasherRequest): void {
    if (this.failure) return;
    if (this.worker) return this.worker.postMessage(m);
    try {
      if (m.op === 'to') this.inline!.readTo(m.upTo);
      else if (m.op === 'reset') this.inline!.reset();
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
