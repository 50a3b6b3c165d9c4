// What a download remembers between attempts, processes and restarts: `<file>.part.json` beside
// `<file>.part` records which bytes the part holds (URL, expected size and hash, and the server's
// validator). A resumed request sends If-Range with that validator, so a file that changed on the
// server restarts from zero instead of splicing two different files together.
// `<file>.part.lock` marks the process downloading it, so two windows never write one part.
import { open, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { DownloadError } from './errors';

export interface PartState {
  version: 1;
  /** The URL the bytes came from (the one asked for, before redirects). */
  url: string;
  expectedSize: number | null;
  expectedSha256: string | null;
  /** Strong ETag of the response the part holds, if the server sent one. */
  etag: string | null;
  lastModified: string | null;
}

export async function readPartState(file: string): Promise<PartState | undefined> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as Partial<PartState>;
    if (v && v.version === 1 && typeof v.url === 'string') {
      return { version: 1, url: v.url, expectedSize: v.expectedSize ?? null, expectedSha256: v.expectedSha256 ?? null, etag: v.etag ?? null, lastModified: v.lastModified ?? null };
    }
    return undefined;
  } catch {
    return undefined; // missing or unreadable: the part cannot be trusted and restarts
  }
}

/** Written to a temporary name and renamed, so a crash never leaves half a sidecar. */
export async function writePartState(file: string, state: PartState): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, file);
}

/** The validator If-Range may carry: a strong ETag, else Last-Modified (weak ETags are not allowed there). */
export function ifRangeValue(state: Pick<PartState, 'etag' | 'lastModified'>): string | undefined {
  if (state.etag && !state.etag.startsWith('W/')) return state.etag;
  return state.lastModified ?? undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<file>.part.lock` for this process. A lock left by a process that has died (crash,
 * kill -9, VS Code closed mid-download) is taken over; a live holder's lock is respected.
 */
export async function acquirePartLock(lockFile: string, label: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockFile, 'wx');
      await fh.writeFile(JSON.stringify({ pid: process.pid, at: Date.now() }));
      await fh.close();
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = 0;
      try {
        pid = Number((JSON.parse(await readFile(lockFile, 'utf8')) as { pid?: unknown }).pid) || 0;
      } catch {
        // unreadable: written by a process that died between open and write
      }
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new DownloadError('busy', `${label} is already being downloaded by another process (pid ${pid}). If no download is running, delete ${lockFile}.`);
      }
      if (pid === process.pid) throw new DownloadError('busy', `${label} is already being downloaded in this process.`);
      await rm(lockFile, { force: true });
    }
  }
  throw new DownloadError('busy', `Could not take the download lock for ${label}.`);
}
