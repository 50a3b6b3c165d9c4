// Entry of the prepare worker thread (bundled to dist/prepare-worker.js; see prepareWorker.ts):
// answers each batch of files with what prepareFile makes of them, in order.
import { parentPort } from 'node:worker_threads';
import { prepareFile } from './prepareFile';
import type { PrepareRequest, PrepareResponse } from './prepareWorker';

if (!parentPort) throw new Error('prepare-worker.js must run in a worker thread');
const port = parentPort;
port.on('message', (req: PrepareRequest) => {
  let res: PrepareResponse;
  try {
    res = { id: req.id, ok: true, results: req.jobs.map((j) => prepareFile(j.file, j.knownHash, req.maxFileBytes, req.maxChunkChars)) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(res);
});
