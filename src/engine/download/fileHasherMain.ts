// The download hasher's thread: follows a part file as it grows and feeds its bytes into SHA-256,
// reading them back from the page cache, so the download's own thread never hashes (see
// fileHasher.ts). What it hashes is what is in the file, by construction.
import { parentPort, workerData } from 'node:worker_threads';
import { FollowingHash, type FileHasherReply, type FileHasherRequest } from './followingHash';

const hash = new FollowingHash((workerData as { path: string }).path);

parentPort?.on('message', (m: FileHasherRequest) => {
  const reply = (r: FileHasherReply): void => parentPort?.postMessage(r);
  try {
    switch (m.op) {
      case 'to':
        hash.readTo(m.upTo, (bytes) => reply({ op: 'progress', bytes }));
        return;
      case 'reset':
        hash.reset();
        return;
      case 'digest':
        return reply({ op: 'digest', id: m.id, sha256: hash.digest(), bytes: hash.position });
    }
  } catch (err) {
    reply({ op: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
