// Crash safety: a process writing bookmarks is killed with SIGKILL at arbitrary moments. Afterwards
// the database opens (the vault's owner lock clears the dead writer's stale locks), passes
// integrity_check, and holds every transaction the writer reported committed, each one whole.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { OwnerLock } from '../../../src/vault/lock/ownerLock';
import { tempDir } from '../../helpers/paths';

const writer = join(__dirname, 'fixtures', 'bookmarkWriter.ts');

/** Runs the writer until it has reported `target` commits in total, then kills it with SIGKILL. Returns the last count it reported. */
function writeAndKill(dbFile: string, target: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dbFile, '/home/me/notes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = -1;
    let buf = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = /^(?:ready|committed) (\d+)$/.exec(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (m) last = Number(m[1]);
        if (last >= target) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited on its own (code ${code}): ${err}`));
    });
  });
}

test('bookmarks written by a process killed -9 mid-write: the DB opens, is intact, and keeps every committed transaction whole', async () => {
  const t = tempDir('cv-bm-crash-');
  try {
    const dbFile = join(t.dir, 'vault.db');
    let reported = 0;
    // Kill points vary: a different number of commits each round, and the kill lands wherever the writer is.
    for (const more of [3, 17, 1, 12]) {
      reported = await writeAndKill(dbFile, reported + more);
      const lock = OwnerLock.acquire(dbFile);
      const db = SqliteDatabase.open(dbFile, { mustExist: true });
      try {
        migrate(db);
        assert.equal(db.get<{ integrity_check: string }>('PRAGMA integrity_check')?.integrity_check, 'ok');
        const store = new BookmarkStore(db);
        const folders = store.tree();
        // Every reported commit is there; at most one more (killed between COMMIT and its report).
        assert.ok(folders.length >= reported && folders.length <= reported + 1, `${folders.length} folders, ${reported} reported`);
        for (const f of folders) {
          assert.equal(f.kind, 'folder');
          assert.deepEqual(f.children.map((c) => c.kind), ['selection', 'selection', 'selection'], `${f.label} is not whole`);
          const n = /^batch (\d+)$/.exec(f.label)![1];
          assert.deepEqual(f.children.map((c) => c.label), [2, 1, 0].map((k) => `b${n}.${k}`));
        }
        reported = folders.length;
      } finally {
        db.close();
        lock.release();
      }
    }
  } finally {
    t.cleanup();
  }
});
