// Who may be holding SQLite's `<db>.lock` directory right now.
//
// node-sqlite3-wasm's VFS takes `<db>.lock` for every read and every write and records nowhere
// who took it, so a directory left by a killed process looks exactly like a live one. To tell
// them apart, every connection (db/sqlite.ts) announces itself for as long as it may hold that
// directory: an empty file `<db>.holders/<pid>-<start time>-<thread>-<n>@<host>` is created before
// the connection steps its first statement and removed once nothing of it is running any more (no
// statement mid-result, no transaction open). A connection that is only open, idle, announces
// nothing: a long-lived reader (an MCP server, a second editor window) does not stand in the way
// of recovering a lock that a killed `codex-vault search` left.
//
// The start time pins the process (a reused PID is not mistaken for it); the host keeps a vault on
// a shared drive safe (another machine's process cannot be checked, so it counts as alive); the
// thread tells the connections of one process apart, so that an editor can clear what one of its
// terminated worker threads announced. Writing one name with no content is a single create, so a
// half-written announcement cannot exist.
import { closeSync, mkdirSync, openSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { currentProcess, liveness, type Liveness, type ProcessIdentity } from './processInfo';

export const holdersDirOf = (dbFile: string): string => `${resolve(dbFile)}.holders`;

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

let self: ProcessIdentity | undefined;
let serial = 0;

function me(): ProcessIdentity {
  self ??= currentProcess();
  return self;
}

const NAME = /^(\d+)-(\d+|x)-(\d+)-(\d+)@(.+)$/;

export interface Announced {
  name: string;
  path: string;
  process: ProcessIdentity;
  threadId: number;
}

function parse(dir: string, name: string): Announced | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  let host: string;
  try {
    host = decodeURIComponent(m[5]!);
  } catch {
    return undefined;
  }
  return { name, path: join(dir, name), process: { pid: Number(m[1]), startedAt: m[2] === 'x' ? null : Number(m[2]), hostname: host }, threadId: Number(m[3]) };
}

/** Every announcement beside `dbFile`, with whether its process still runs. Names it cannot read are not ours and are skipped. */
export function listHolders(dbFile: string): (Announced & { liveness: Liveness })[] {
  const dir = holdersDirOf(dbFile);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return [];
    throw err;
  }
  const out: (Announced & { liveness: Liveness })[] = [];
  for (const name of names) {
    const a = parse(dir, name);
    if (a) out.push({ ...a, liveness: liveness(a.process) });
  }
  return out;
}

/** Removes an announcement that is known to be over (its process or thread is gone). */
export function removeAnnouncement(a: Announced): void {
  try {
    unlinkSync(a.path);
  } catch {
    // gone already
  }
  tryRemoveDir(dirname(a.path));
}

/**
 * Removes the announcements of dead processes. A process killed while announced, before it took
 * the lock or after it let go, left nothing for a recovery to meet; this tidies it up on open.
 */
export function removeDeadAnnouncements(dbFile: string): void {
  try {
    for (const a of listHolders(dbFile)) if (a.liveness === 'dead') removeAnnouncement(a);
  } catch {
    // Unreadable: the connection's own announcement says what is wrong with the folder.
  }
}

/**
 * Removes what thread `thread` of this process announced: for a worker thread that was terminated
 * (worker.terminate() runs no cleanup) and so can hold nothing any more. Returns how many.
 */
export function removeThreadAnnouncements(dbFile: string, thread: number): number {
  const p = me();
  let n = 0;
  for (const a of listHolders(dbFile)) {
    if (a.threadId === thread && a.process.pid === p.pid && a.process.hostname === p.hostname && a.process.startedAt === (p.startedAt === null ? null : Math.round(p.startedAt))) {
      removeAnnouncement(a);
      n++;
    }
  }
  return n;
}

function tryRemoveDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // another connection's announcement is in it, or it is gone
  }
}

/** One connection's announcement. */
export class LockAnnouncement {
  private readonly dir: string;
  private readonly path: string;
  private present = false;

  constructor(dbFile: string) {
    const p = me();
    this.dir = holdersDirOf(dbFile);
    this.path = join(this.dir, `${p.pid}-${p.startedAt === null ? 'x' : Math.round(p.startedAt)}-${threadId}-${++serial}@${encodeURIComponent(p.hostname)}`);
  }

  get isPresent(): boolean {
    return this.present;
  }

  /** Creates the announcement; must happen before the connection can take `<db>.lock`. */
  announce(): void {
    if (this.present) return;
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(this.path, 'w'));
        this.present = true;
        return;
      } catch (err) {
        // The folder is removed when its last announcement goes; another connection may have
        // removed it between our mkdir and our create.
        if (errCode(err) !== 'ENOENT' || attempt >= 20) {
          throw new Error(`Could not announce the use of ${this.dir.slice(0, -'.holders'.length)} in ${this.dir} (${errCode(err) ?? String(err)}); the folder of the database must be writable.`, { cause: err });
        }
        try {
          mkdirSync(this.dir);
        } catch (e) {
          if (errCode(e) !== 'EEXIST') throw new Error(`Could not create ${this.dir} (${errCode(e) ?? String(e)}); the folder of the database must be writable.`, { cause: e });
        }
      }
    }
  }

  /** Removes the announcement: the connection holds no lock now and until it announces again. */
  withdraw(): void {
    if (!this.present) return;
    this.present = false;
    try {
      unlinkSync(this.path);
    } catch {
      // removed by hand: nothing to do
    }
  }

  /** At close: the announcement, and the folder once no other connection is announced in it. */
  dispose(): void {
    this.withdraw();
    tryRemoveDir(this.dir);
  }
}
