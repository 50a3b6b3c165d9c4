// Downloads every file of a manifest model (one after another: parts of one model share a link),
// each verified on its own, and records each verified file in the model records so the
// verification gate and the catalog know it. The model is usable only when all parts are.
// Several models may be requested at once; a Limiter bounds how many download concurrently.
import { stat } from 'node:fs/promises';
import { downloadFile, type DownloadFileOptions, type DownloadFileResult } from '../download/downloadFile';
import { Limiter } from '../download/limiter';
import type { DownloadProgress } from '../download/progress';
import type { ModelRecordStore } from '../verify/modelRecordStore';
import { modelPath } from './fileNames';
import { modelSize, type ManifestModel } from './manifestTypes';

export type ModelDownloadOptions = Omit<DownloadFileOptions, 'urls' | 'fileName' | 'expectedSha256' | 'expectedSize' | 'onProgress' | 'knownSha256'> & {
  /** Progress over the whole model: bytes/total count all of its files. */
  onProgress?: (p: DownloadProgress) => void;
  store?: ModelRecordStore;
  limiter?: Limiter;
};

export interface ModelDownloadResult {
  model: ManifestModel;
  files: DownloadFileResult[];
  /** The file to load (the first part of a split model). */
  path: string;
}

/** The process-wide default: two downloads at a time. */
export const defaultDownloadLimiter = new Limiter(2);

export async function downloadModel(model: ManifestModel, opts: ModelDownloadOptions): Promise<ModelDownloadResult> {
  const limiter = opts.limiter ?? defaultDownloadLimiter;
  // Everything else passes through to downloadFile unchanged.
  const { store, onProgress, limiter: _limiter, ...fileOpts } = opts;
  return limiter.run(async () => {
    const total = modelSize(model);
    const results: DownloadFileResult[] = [];
    let done = 0;
    for (const [i, f] of model.files.entries()) {
      const result = await downloadFile({
        ...fileOpts,
        urls: f.urls,
        fileName: f.name,
        expectedSha256: f.sha256,
        // Size 0 means "unknown" (a URL download without --size): the SHA-256 alone decides.
        expectedSize: f.size > 0 ? f.size : undefined,
        knownSha256: store
          ? (path, size, mtimeMs) => {
              const r = store.get(path);
              return r && r.size === size && Math.trunc(r.mtimeMs) === Math.trunc(mtimeMs) ? r.sha256 : undefined;
            }
          : undefined,
        onProgress: onProgress
          ? (p) => {
              const all = total > 0 ? total : p.total;
              const bytes = done + p.bytes;
              onProgress({ ...p, bytes, total: all, etaSeconds: p.bytesPerSecond > 0 && all !== undefined ? (all - bytes) / p.bytesPerSecond : undefined, fileIndex: i + 1, fileCount: model.files.length, fileName: f.name });
            }
          : undefined,
      });
      done += f.size;
      if (store) {
        const st = await stat(result.path);
        store.put({
          path: result.path,
          size: st.size,
          mtimeMs: Math.trunc(st.mtimeMs),
          sha256: result.sha256,
          source: 'manifest',
          manifestId: model.id,
          expectedSha256: f.sha256,
          status: 'verified',
          role: model.role,
          verifiedAt: Date.now(),
        });
      }
      results.push(result);
    }
    return { model, files: results, path: modelPath(opts.dir, model.files[0]!.name) };
  }, opts.signal);
}
