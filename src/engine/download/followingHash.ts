// SHA-256 of a file that is still being written: each readTo() reads the bytes between the last
// position and the new one (from the page cache, just written) and hashes them. Synchronous: it
// runs on the hasher's own thread (fileHasherMain.ts), or on the caller's when no thread can be had.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

const READ_BYTES = 1024 * 1024;
const PROGRESS_EVERY = 64 * 1024 * 1024;

/** One hashing thread serves every download of the process; `job` says which part a message is about. */
export type FileHasherRequest =
  | { op: 'open'; job: number; path: string }
  | { op: 'to'; job: number; upTo: number }
  | { op: 'reset'; job: number }
  | { op: 'digest'; job: number; id: number }
  | { op: 'close'; job: number };
export type FileHasherReply =
  | { op: 'progress'; job: number; bytes: number }
  | { op: 'digest'; job: number; id: number; sha256: string; bytes: number }
  | { op: 'error'; job: number; message: string };

export class FollowingHash {
  private hash: Hash = createHash('sha256');
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);
  private fd: number | undefined;
  position = 0;

  constructor(private readonly path: string) {}

  /** Hashes the file's bytes up to `upTo` (they must be written already). */
  readTo(upTo: number, onProgress?: (bytes: number) => void): void {
    this.fd ??= openSync(this.path, 'r');
    let lastReport = this.position;
    while (this.position < upTo) {
      const n = readSync(this.fd, this.buf, 0, Math.min(READ_BYTES, upTo - this.position), this.position);
      if (n === 0) throw new Error(`${this.path} ends at ${this.position} bytes; ${upTo} were written.`);
      this.hash.update(n === READ_BYTES ? this.buf : this.buf.subarray(0, n));
      this.position += n;
      if (this.position - lastReport >= PROGRESS_EVERY) {
        lastReport = this.position;
        onProgress?.(this.position);
      }
    }
  }

  /** The file was truncated to zero: start over. */
  reset(): void {
    this.hash = createHash('sha256');
    this.position = 0;
  }

  digest(): string {
    const hex = this.hash.digest('hex');
    this.hash = createHash('sha256');
    this.close();
    return hex;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
