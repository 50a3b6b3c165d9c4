// The download hasher's thread: follows part files as they grow and feeds their bytes into SHA-256,
// reading them back from the page cache, so a download's own thread never hashes (see
// fileHasher.ts). What it hashes is what is in the file, by construction. One thread serves every
// download of the process, each part under its own job number.
import { parentPort } from 'node:worker_threads';
import { FollowingHash, type FileHasherReply, type FileHasherRequest } from './followingHash';

const jobs = new Map<number, FollowingHash>();

parentPort?.on('message', (m: FileHasherRequest) => {
  const reply = (r: FileHasherReply): void => parentPort?.postMessage(r);
  try {
    if (m.op === 'open') {
      jobs.set(m.job, new FollowingHash(m.path));
      return;
    }
    const hash = jobs.get(m.job);
    if (!hash) return; // closed already: a late message about it means nothing
    switch (m.op) {
      case 'to':
        hash.readTo(m.upTo, (bytes) => reply({ op: 'progress', job: m.job, bytes }));
        return;
      case 'reset':
        hash.reset();
        return;
      case 'digest':
        return reply({ op: 'digest', job: m.job, id: m.id, sha256: hash.digest(), bytes: hash.position });
      case 'close':
        hash.close();
        jobs.delete(m.job);
        return;
    }
  } catch (err) {
    reply({ op: 'error', job: m.job, message: err instanceof Error ? err.message : String(err) });
  }
});
