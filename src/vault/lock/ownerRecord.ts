// The owner file `<db>.owner`: who writes a database ({pid, startedAt, hostname}), and whether
// that writer is still alive. Taking and releasing it is lock/ownerLock.ts; this is the reading.
import { readFileSync, statSync } from 'node:fs';
import { currentProcess, liveness, type ProcessIdentity } from './processInfo';

export const ownerFileOf = (dbFile: string): string => `${dbFile}.owner`;
/** The directory node-sqlite3-wasm's VFS creates while it holds any lock on the database. */
export const sqliteLockDirOf = (dbFile: string): string => `${dbFile}.lock`;

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The record a writer leaves. `announcesHolds`: the writer's connections announce in
 * `<db>.holders` whenever they may hold SQLite's lock (lock/lockHolders.ts), so an idle writer is
 * known not to hold it. A record without it was written by an older Codex Vault, whose writer
 * may hold the lock unannounced.
 */
export function ownerRecord(): string {
  const me = currentProcess();
  return JSON.stringify({ pid: me.pid, startedAt: me.startedAt, hostname: me.hostname, announcesHolds: true });
}

export interface HolderRecord {
  holder: ProcessIdentity | null;
  announcesHolds: boolean;
  raw: string;
}

export function readHolder(ownerFile: string): HolderRecord | undefined {
  let raw: string;
  try {
    raw = readFileSync(ownerFile, 'utf8');
  } catch (err) {
    if (errCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const j = JSON.parse(raw) as Partial<ProcessIdentity> & { announcesHolds?: unknown };
    if (typeof j.pid === 'number' && typeof j.hostname === 'string') {
      return { holder: { pid: j.pid, startedAt: typeof j.startedAt === 'number' ? j.startedAt : null, hostname: j.hostname }, announcesHolds: j.announcesHolds === true, raw };
    }
  } catch {
    // Not JSON: written by something else, or damaged. Treated as stale below.
  }
  return { holder: null, announcesHolds: false, raw };
}

/** Outcome of looking at an existing owner file. */
export type OwnerState =
  | { kind: 'free' }
  | { kind: 'held'; holder: ProcessIdentity; announcesHolds: boolean }
  | { kind: 'stale'; holder: ProcessIdentity | null };

export function inspectOwner(dbFile: string): OwnerState {
  const ownerFile = ownerFileOf(dbFile);
  const found = readHolder(ownerFile);
  if (!found) return { kind: 'free' };
  if (!found.holder) {
    // Unparsable: a writer on a file system without hard links may be mid-write; give it a moment.
    try {
      if (Date.now() - statSync(ownerFile).mtimeMs < 2000 && found.raw.length === 0) return { kind: 'held', holder: { pid: 0, startedAt: null, hostname: currentProcess().hostname }, announcesHolds: false };
    } catch {
      return { kind: 'free' };
    }
    return { kind: 'stale', holder: null };
  }
  return liveness(found.holder) === 'dead' ? { kind: 'stale', holder: found.holder } : { kind: 'held', holder: found.holder, announcesHolds: found.announcesHolds };
}
