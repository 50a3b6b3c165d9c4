// SHA-256 of model files, streamed with large reads so that hashing runs near the machine's
// hashing speed without holding the file in memory.
import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

const CHUNK = 4 * 1024 * 1024;

export interface HashProgress {
  bytes: number;
  total: number;
}

/** Feeds `length` bytes of `file` from `start` into `hash` (a running hash can be continued). */
export async function hashInto(hash: Hash, file: string, start = 0, length?: number, onProgress?: (p: HashProgress) => void, signal?: AbortSignal): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const end = length === undefined ? size : Math.min(size, start + length);
    const buf = Buffer.allocUnsafe(CHUNK);
    let pos = start;
    while (pos < end) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      pos += bytesRead;
      onProgress?.({ bytes: pos - start, total: end - start });
    }
    return pos - start;
  } finally {
    await fh.close();
  }
}

export async function sha256File(file: string, onProgress?: (p: HashProgress) => void, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  await hashInto(h, file, 0, undefined, onProgress, signal);
  return h.digest('hex');
}

export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/i.test(s);
}
