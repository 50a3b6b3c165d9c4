// Entry of the vault worker thread (bundled to dist/vault-worker.js). All SQLite and file-scanning
// work of the extension happens here, so the extension host's thread never waits on it.
import { parentPort } from 'node:worker_threads';
import { VaultWorkerHandler } from './vaultWorkerHandler';
import type { WorkerMessage } from './protocol';

if (!parentPort) throw new Error('vault-worker.js must run in a worker thread');
const port = parentPort;
const handler = new VaultWorkerHandler((msg: WorkerMessage) => port.postMessage(msg));
port.on('message', (msg: unknown) => handler.handle(msg));
