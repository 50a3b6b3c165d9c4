// Finds the best available description of a model's shape for the fit check: the GGUF header
// of a file already on disk, else of the remote file (ranged read), else the manifest's figures.
import { open } from 'node:fs/promises';
import type { DispatcherFor } from '../download/proxy';
import { modelSize, type ManifestModel } from '../models/manifestTypes';
import { NeedMoreBytes, parseGgufPrefix, type GgufPrefixInfo } from './ggufPrefix';
import { shapeFromHeader, shapeFromManifest, type ModelShape } from './hardwareFit';
import { readRemoteGgufHeader } from './remoteHeader';

/** Parses a local file's GGUF header, reading a growing prefix (bounded by `maxBytes`). */
export async function readLocalGgufPrefix(path: string, maxBytes = 64 * 1024 * 1024): Promise<GgufPrefixInfo> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let want = Math.min(size, 1024 * 1024);
    for (;;) {
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, 0);
      try {
        return parseGgufPrefix(buf.subarray(0, bytesRead));
      } catch (err) {
        if (!(err instanceof NeedMoreBytes) || bytesRead >= size || want >= maxBytes) throw err;
        want = Math.min(size, maxBytes, Math.max(err.needed, want * 4));
      }
    }
  } finally {
    await fh.close();
  }
}

export interface ShapeOptions {
  /** Path of the model's first file when it is on disk. */
  localFile?: string;
  /** Try a ranged read of the remote header (network). */
  remote?: boolean;
  dispatcherFor?: DispatcherFor;
  signal?: AbortSignal;
  /** Told why a better source was not used (for --verbose output). */
  onNote?: (note: string) => void;
}

export async function modelShape(model: ManifestModel, opts: ShapeOptions = {}): Promise<ModelShape> {
  if (opts.localFile) {
    try {
      return shapeFromHeader(await readLocalGgufPrefix(opts.localFile), modelSize(model));
    } catch (err) {
      opts.onNote?.(`local GGUF header unreadable: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (opts.remote) {
    for (const url of model.files[0]!.urls) {
      try {
        const h = await readRemoteGgufHeader(url, { dispatcherFor: opts.dispatcherFor, signal: opts.signal });
        // A URL download without --size has no manifest size: the server's is the next best.
        return shapeFromHeader(h.info, modelSize(model) || h.fileSize || 0);
      } catch (err) {
        opts.signal?.throwIfAborted();
        opts.onNote?.(`remote GGUF header not read: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  return shapeFromManifest(model);
}
