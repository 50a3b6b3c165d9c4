// The rule that recovers SQLite's `<db>.lock` directory (src/vault/lock/staleSqliteLock.ts), case
// by case, on real files with real processes as holders: it is removed only when it has stood for
// the bound and no live process may hold it. And the other half of the rule: a connection never
// holds the lock unannounced, whatever it runs.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs, { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { processStartTime } from '../../../src/vault/lock/processInfo';
import { DEAD_HOLDER_LOCK_MS, recoverStaleSqliteLock, STALE_LOCK_MS } from '../../../src/vault/lock/staleSqliteLock';
import { releaseOwnProcessLock, Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir } from '../../helpers/paths';
import { spawnChild } from './support/child';
import { copyRustBook, indexedRustBook } from './support/vaultFixtures';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A real process that stays alive until killed. */
async function liveProcess(): Promise<ChildProcess> {
  const p = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((r) => p.once('spawn', r));
  return p;
}

/** The PID and start time of a process that has ended. */
async function deadProcess(): Promise<{ pid: number; startedAt: number }> {
  const p = await liveProcess();
  const startedAt = processStartTime(p.pid!)!;
  p.kill('SIGKILL');
  await new Promise((r) => p.once('exit', r));
  return { pid: p.pid!, startedAt };
}

function announce(db: string, pid: number, startedAt: number | null, host = hostname()): string {
  mkdirSync(`${db}.holders`, { recursive: true });
  const name = `${pid}-${startedAt === null ? 'x' : Math.round(startedAt)}-0-1@${encodeURIComponent(host)}`;
  writeFileSync(join(`${db}.holders`, name), '');
  return name;
}

const announced = (db: string): string[] => (existsSync(`${db}.holders`) ? readdirSync(`${db}.holders`) : []);

function freshDb(dir: string, name: string): string {
  const db = join(dir, name);
  const v = Vault.open(db);
  v.close();
  return db;
}

test('a stale lock directory is recovered only once it stood for the bound and no live process may hold it', async () => {
  const t = tempDir();
  const live = await liveProcess();
  try {
    const db = freshDb(t.dir, 'v.db');
    const lock = `${db}.lock`;

    mkdirSync(lock);
    assert.equal(recoverStaleSqliteLock(db), 'young', 'younger than the bound: left');
    assert.ok(existsSync(lock));
    await sleep(STALE_LOCK_MS + 50);

    // A live process announced it may hold it: never removed, however old.
    const liveName = announce(db, live.pid!, processStartTime(live.pid!));
    assert.equal(recoverStaleSqliteLock(db), 'held');
    assert.ok(existsSync(lock) && announced(db).includes(liveName));
    // Another machine's process (a vault on a shared drive) cannot be checked: it counts as alive.
    rmdirSync(lock);
    fs.unlinkSync(join(`${db}.holders`, liveName));
    mkdirSync(lock);
    await sleep(STALE_LOCK_MS + 50);
    const remote = announce(db, 4242, 1, 'some-other-host');
    assert.equal(recoverStaleSqliteLock(db), 'held');
    assert.ok(existsSync(lock));
    fs.unlinkSync(join(`${db}.holders`, remote));

    // An older writer that does not announce its holds owns the file and is alive: left alone.
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: live.pid, startedAt: processStartTime(live.pid!), hostname: hostname() }));
    assert.equal(recoverStaleSqliteLock(db), 'held');
    assert.ok(existsSync(lock));
    // The same live writer announcing its holds, idle (nothing announced): not a holder.
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: live.pid, startedAt: processStartTime(live.pid!), hostname: hostname(), announcesHolds: true }));
    // Dead announcers, one of them a PID now reused by a live process (another start time).
    const dead = await deadProcess();
    announce(db, dead.pid, dead.startedAt);
    announce(db, live.pid!, processStartTime(live.pid!)! - 3_600_000);
    assert.equal(recoverStaleSqliteLock(db), 'recovered');
    assert.ok(!existsSync(lock), 'removed');
    assert.deepEqual(announced(db), [], 'the dead announcements were removed too');
    assert.equal(recoverStaleSqliteLock(db), 'absent');
    fs.unlinkSync(`${db}.owner`);
    // A process killed while announced but not holding the lock left only its announcement: the next open tidies it.
    announce(db, dead.pid, dead.startedAt);
    Vault.open(db, { readOnly: true }).close();
    assert.ok(!existsSync(`${db}.holders`));
  } finally {
    live.kill('SIGKILL');
    t.cleanup();
  }
});

test('a lock directory beside a hot journal is handed to SQLite, which plays the journal back, then removed', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, undefined, 40);
    const db = join(t.dir, 'v.db');
    // A writer killed inside a transaction whose pages already reached the file.
    const child = spawnChild('indexChild.ts', [db, notes, '3', '300', 'spill']);
    await child.waitFor((l) => l === 'in-transaction', 120_000);
    child.proc.kill('SIGKILL');
    await child.exited;
    assert.ok(existsSync(`${db}.lock`) && existsSync(`${db}-journal`));
    // As a connection meeting "locked" does (the dead owner's file plays no part here).
    assert.equal(recoverStaleSqliteLock(db, { minAgeMs: DEAD_HOLDER_LOCK_MS, waitForAge: true }), 'recovered');
    assert.ok(!existsSync(`${db}.lock`) && !existsSync(`${db}-journal`), 'the journal was played back and the directory removed');
    assert.deepEqual(announced(db), []);
    const v = Vault.open(db, { readOnly: true });
    try {
      assert.equal(v.integrityCheck(), 'ok');
      assert.ok(v.stats().files < 40, 'the interrupted batch is not there');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a connection never holds the lock unannounced, and withdraws once it cannot hold it', () => {
  const t = tempDir();
  const db = freshDb(t.dir, 'v.db');
  const lock = `${db}.lock`;
  const holders = `${db}.holders`;
  const problems: string[] = [];
  let foreign = false;
  let locks = 0;
  let withdrawals = 0;
  const { mkdirSync: mkdir, unlinkSync: unlink } = fs;
  // node-sqlite3-wasm's VFS locks with fs.mkdirSync(<db>.lock): watch it from the same module object.
  fs.mkdirSync = ((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
    const r = mkdir(p, o);
    if (p === lock && !foreign) {
      locks++;
      if (!existsSync(holders) || readdirSync(holders).length !== 1) problems.push(`lock taken unannounced (lock ${locks})`);
    }
    return r;
  }) as typeof fs.mkdirSync;
  fs.unlinkSync = ((p: fs.PathLike) => {
    if (typeof p === 'string' && p.startsWith(`${holders}/`)) {
      withdrawals++;
      if (existsSync(lock) && !foreign) problems.push(`withdrawn while holding the lock (withdrawal ${withdrawals})`);
    }
    unlink(p);
  }) as typeof fs.unlinkSync;
  try {
    const c = SqliteDatabase.open(db, { mustExist: true });
    try {
      c.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3)');
      c.get('SELECT x FROM t');
      c.all('SELECT x FROM t');
      c.run('SELECT x FROM t'); // a statement with rows, run: must not stay mid-result
      c.run('INSERT INTO t VALUES (4)');
      for (const r of c.iterate('SELECT x FROM t')) void r;
      for (const r of c.iterate('SELECT x FROM t')) if (r.x === 2) break; // stopped early
      const it = c.iterate('SELECT x FROM t');
      it.next();
      assert.ok(existsSync(lock) && readdirSync(holders).length === 1, 'mid-iteration: holding, announced');
      it.return(undefined);
      c.transaction(() => {
        c.get('SELECT x FROM t');
        c.transaction(() => c.run('INSERT INTO t VALUES (5)'));
        assert.throws(() => c.transaction(() => { c.run('INSERT INTO t VALUES (6)'); throw new Error('inner'); }), /inner/);
      }, false);
      c.transaction(() => c.run('INSERT INTO t VALUES (7)'));
      c.exec('BEGIN');
      c.get('SELECT x FROM t');
      assert.ok(readdirSync(holders).length === 1, 'a transaction opened by hand stays announced between statements');
      c.exec('COMMIT');
      assert.throws(() => c.all('SELECT * FROM nowhere'), /no such table/);
      // Refused the lock (another holder's directory): the connection withdraws.
      foreign = true;
      mkdir(lock);
      assert.throws(() => c.get('SELECT x FROM t'), (e: Error & { code?: string }) => e.code === 'locked');
      assert.throws(() => c.transaction(() => c.get('SELECT x FROM t'), false), (e: Error & { code?: string }) => e.code === 'locked');
      assert.deepEqual(announced(db), [], 'not announced while refused');
      rmdirSync(lock);
      foreign = false;
      assert.equal(c.get<{ n: number }>('SELECT count(*) AS n FROM t')?.n, 6);
      assert.deepEqual(announced(db), [], 'idle: nothing announced');
    } finally {
      c.close();
    }
    assert.ok(!existsSync(holders), 'closed: the folder is gone');
    assert.ok(locks >= 10, `the lock was taken ${locks} times`);
    assert.deepEqual(problems, []);
  } finally {
    fs.mkdirSync = mkdir;
    fs.unlinkSync = unlink;
    t.cleanup();
  }
});

test('a worker thread terminated mid-read: its process releases what the thread announced, and the lock is recovered', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    const db = join(t.dir, 'v.db');
    await indexedRustBook(db, notes, ['ch15-01-box.md']);
    const reader = join(repoRoot, 'test', 'unit', 'vault', 'support', 'slowReader.ts');
    const worker = new Worker(
      `require('tsx/cjs'); process.argv = [process.argv[0], 'slowReader', ${JSON.stringify(db)}, 'hang']; require(${JSON.stringify(reader)});`,
      { eval: true, stdout: true },
    );
    const threadId = worker.threadId;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      worker.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('holding')) resolve();
      });
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.ok(existsSync(`${db}.lock`), 'the terminated thread left the lock');
    assert.equal(announced(db).length, 1, 'and its announcement, which names this live process');
    await sleep(STALE_LOCK_MS + 50);
    assert.equal(recoverStaleSqliteLock(db), 'held', 'a live process\'s announcement is respected');

    assert.equal(releaseOwnProcessLock(db, threadId), false, 'no owner lock to release (it was a reader)');
    assert.deepEqual(announced(db), []);
    assert.ok(!existsSync(`${db}.lock`), 'recovered');
    const w = Vault.open(db);
    try {
      assert.equal(w.updateFile(notes, 'ch15-01-box.md'), 'unchanged');
      assert.equal(w.searchLexical('box', { limit: 1 })[0]?.path, 'ch15-01-box.md');
    } finally {
      w.close();
    }
  } finally {
    t.cleanup();
  }
});
