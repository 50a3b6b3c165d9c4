// Where a download's bytes go: chunks are written to the part in large blocks by libuv's pool,
// one block after another while the next fills, and hashed (SHA-256) by a thread that follows the
// file as it grows (fileHasher.ts), in parallel with the network; the part is flushed to disk as
// it grows, so the final fsync (kept) has little left to do.
//
// WHY this shape: the receiving thread only takes chunks and hands blocks to the disk, and the hash
// keeps pace on its own thread (what was measured, and what was tried and not kept: the README's
// download decision). A block is handed to the disk when full or 100 ms after its first byte, so a
// kill -9 loses at most that much received data: before, up to 1 MiB waited in memory and a
// download killed in its first megabyte restarted from zero.
import { fdatasync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { FileHasher } from './fileHasher';

const BLOCK_BYTES = 1024 * 1024;
const FLUSH_MS = 100;
/** Received but not yet written: beyond this the caller pauses the connection. */
const MAX_QUEUED = 16 * 1024 * 1024;
/** Start writeback every so many bytes (fdatasync on libuv's pool), so the final fsync is short. */
const SYNC_EVERY = 32 * 1024 * 1024;

/** A failed write of the part; `code` is the system's (ENOSPC, EDQUOT, EIO...). */
export class PartWriteError extends Error {
  constructor(readonly code: string | undefined, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PartWriteError';
  }
}

export class PartWriter {
  /** The block being filled (copied into, so the socket's buffers die young), and its fill. */
  private block: Buffer | undefined;
  private blockBytes = 0;
  /** Blocks written and free to fill again: no allocation, and no garbage, per megabyte received. */
  private readonly spare: Buffer[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Bytes taken: written, being written, or in the current block. */
  private taken: number;
  /** Bytes handed to the disk (written or being written). */
  private sealed: number;
  /** Bytes in the file. */
  private written: number;
  private writing: Promise<void> = Promise.resolve();
  private failure: PartWriteError | undefined;
  private onRoom: (() => void) | undefined;
  private syncing: Promise<void> | undefined;
  private syncedAt: number;

  private constructor(private readonly fh: FileHandle, private readonly hasher: FileHasher, start: number) {
    this.taken = this.sealed = this.written = this.syncedAt = start;
  }

  /**
   * Opens `path` for writing from byte `start`: 0 starts a new, empty part; otherwise the first
   * `start` bytes are kept (and hashed in the background while the download goes on).
   */
  static async open(path: string, start: number): Promise<PartWriter> {
    const fh = await open(path, start > 0 ? 'r+' : 'w');
    try {
      if (start > 0) await fh.truncate(start);
      const hasher = FileHasher.start(path);
      if (start > 0) hasher.hashTo(start);
      return new PartWriter(fh, hasher, start);
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
  }

  /** Bytes received so far (written, being written or waiting for their block). */
  get received(): number {
    return this.taken;
  }

  /** Bytes in the part file (after drain(): every byte received, unless a write failed). */
  get position(): number {
    return this.written;
  }

  /**
   * Takes a chunk (always, whole; copied at once, so its memory may be reused). Returns false when the
   * disk is behind by more than a few MiB: the caller pauses its source until `whenRoom` calls back.
   */
  write(chunk: Buffer): boolean {
    if (this.failure) throw this.failure;
    let at = 0;
    while (at < chunk.length) {
      this.block ??= this.spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
      const n = chunk.copy(this.block, this.blockBytes, at);
      at += n;
      this.blockBytes += n;
      if (this.blockBytes === BLOCK_BYTES) this.seal();
    }
    this.taken += chunk.length;
    if (this.blockBytes > 0) this.timer ??= setTimeout(() => this.seal(), FLUSH_MS).unref();
    return this.taken - this.written < MAX_QUEUED;
  }

  /** Calls `cb` once the disk has caught up (at once if it has). */
  whenRoom(cb: () => void): void {
    if (this.taken - this.written < MAX_QUEUED || this.failure) cb();
    else this.onRoom = cb;
  }

  /** Hands the current block to the disk, after the blocks before it. */
  private seal(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.blockBytes === 0 || !this.block) return;
    const block = this.block;
    const bytes = this.blockBytes;
    const at = this.sealed;
    this.block = undefined;
    this.blockBytes = 0;
    this.sealed += bytes;
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await writeAll(this.fh, block.subarray(0, bytes), at);
        this.spare.push(block);
        this.written += bytes;
        this.hasher.hashTo(this.written);
        this.syncSoon();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        this.failure = new PartWriteError(e.code, e.message, { cause: err });
      }
      if (this.onRoom && (this.taken - this.written < MAX_QUEUED || this.failure)) {
        const cb = this.onRoom;
        this.onRoom = undefined;
        cb();
      }
    });
  }

  /** Starts writeback of what is written so far, one fdatasync at a time, without waiting for it. */
  private syncSoon(): void {
    if (this.syncing || this.written - this.syncedAt < SYNC_EVERY) return;
    this.syncedAt = this.written;
    this.syncing = new Promise<void>((resolve) => fdatasync(this.fh.fd, () => resolve())).then(() => {
      this.syncing = undefined;
    });
  }

  /**
   * Writes everything taken; throws the write failure, if any. After a failure the part holds a
   * correct prefix of the download (its size on disk may exceed `position`: a short write).
   */
  async drain(): Promise<number> {
    this.seal();
    await this.writing;
    if (this.failure) throw this.failure;
    return this.written;
  }

  /** Bytes actually in the part file (after a failed write, more than `position` may be there). */
  async sizeOnDisk(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  /** Throws away the part's bytes: the file and the hash start again from zero. */
  async restart(): Promise<void> {
    await this.drain().catch(() => undefined);
    await this.fh.truncate(0);
    this.hasher.reset();
    this.failure = undefined;
    this.taken = this.sealed = this.written = this.syncedAt = 0;
  }

  /**
   * Writes everything, makes the part durable (fsync) and returns its SHA-256; `onHashing` hears
   * how far the hash is while it catches up (a resumed part is hashed while the rest downloads).
   */
  async finish(onHashing?: (bytes: number) => void): Promise<string> {
    await this.drain();
    const digest = this.hasher.digest(onHashing);
    await this.syncing;
    await this.fh.sync();
    const { sha256, bytes } = await digest;
    if (bytes !== this.written) throw new PartWriteError('EIO', `The hash covers ${bytes} bytes of the part, which holds ${this.written}.`);
    return sha256;
  }

  /** Closes the file (what was not drained is lost). */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.syncing;
    await this.hasher.close();
    await this.fh.close().catch(() => undefined);
  }
}

async function writeAll(fh: FileHandle, data: Buffer, at: number): Promise<void> {
  // Loops because a write may be short (rare on files; a disk filling up): the rest until it fails.
  for (let off = 0; off < data.length; ) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, at + off);
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    off += bytesWritten;
  }
}
