// The owner lock across real processes: a second writer is refused with the holder's PID, may
// read meanwhile, a dead holder's locks are cleared, a live holder's never; a closed vault is
// left unlocked; a corrupt file gives a clear error and is left as it was.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processStartTime } from '../../../src/vault/lock/processInfo';
import { releaseOwnProcessLock, Vault, VaultLockedError } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';
import { spawnChild } from './support/child';
import { copyRustBook } from './support/vaultFixtures';

test('a second process cannot write a vault another process holds, but can read it; after close it can write', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, ['ch15-01-box.md', 'ch04-01-what-is-ownership.md']);
    const db = join(t.dir, 'v.db');
    const child = spawnChild('holdVault.ts', [db, notes]);
    try {
      const ready = await child.waitFor((l) => l.startsWith('ready') || l.startsWith('error'));
      assert.equal(ready, `ready ${child.proc.pid}`);
      const owner = JSON.parse(readFileSync(`${db}.owner`, 'utf8')) as { pid: number; startedAt: number; hostname: string };
      assert.equal(owner.pid, child.proc.pid);
      assert.equal(owner.hostname, hostname());
      assert.equal(owner.startedAt, processStartTime(child.proc.pid!));

      assert.throws(() => Vault.open(db), (err: Error) => {
        assert.ok(err instanceof VaultLockedError);
        assert.match(err.message, new RegExp(`is being written by process ${child.proc.pid}\\b`));
        assert.match(err.message, /read-only/);
        return true;
      });
      // The refused open touched nothing of the holder's.
      assert.equal(JSON.parse(readFileSync(`${db}.owner`, 'utf8')).pid, child.proc.pid);

      const reader = Vault.open(db, { readOnly: true });
      try {
        assert.equal(reader.readOnly, true);
        assert.equal(reader.searchLexical('ownership', { limit: 1 })[0]?.path, 'ch04-01-what-is-ownership.md');
        assert.equal(reader.stats().files, 2);
        await assert.rejects(reader.indexRoots([notes]), /read-only/);
        assert.throws(() => reader.updateFile(notes, 'x.md'), /read-only/);
      } finally {
        reader.close();
      }
      assert.ok(existsSync(`${db}.owner`), 'closing a reader leaves the writer\'s lock alone');

      child.send('close');
      await child.waitFor((l) => l === 'closed');
      await child.exited;
      assert.ok(!existsSync(`${db}.owner`), 'the owner file goes on close');
      assert.ok(!existsSync(`${db}.lock`), 'SQLite\'s lock directory is gone');
      const v = Vault.open(db);
      assert.equal(v.stats().files, 2);
      v.close();
    } finally {
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  } finally {
    t.cleanup();
  }
});

test('a holder killed with SIGKILL leaves a stale lock that the next open clears', async () => {
  const t = tempDir();
  try {
    const db = join(t.dir, 'v.db');
    const child = spawnChild('holdVault.ts', [db]);
    await child.waitFor((l) => l.startsWith('ready'));
    child.proc.kill('SIGKILL');
    await child.exited;
    assert.ok(existsSync(`${db}.owner`), 'a killed holder cannot release');
    // Also the lock directory SQLite's VFS leaves when killed inside a transaction.
    mkdirSync(`${db}.lock`);
    const v = Vault.open(db);
    try {
      assert.equal(JSON.parse(readFileSync(`${db}.owner`, 'utf8')).pid, process.pid);
      assert.ok(!existsSync(`${db}.lock`) || v.db.inTransaction, 'the stale lock directory was removed');
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('after close the vault is unlocked; a process that exits without closing releases it in its exit hook', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, ['ch15-01-box.md']);
    const db = join(t.dir, 'v.db');
    const v = Vault.open(db);
    await v.indexRoots([notes]);
    v.searchLexical('box');
    v.close();
    v.close();
    assert.equal(v.isOpen, false);
    assert.throws(() => v.searchLexical('box'), /closed/);
    assert.ok(!existsSync(`${db}.owner`));
    assert.ok(!existsSync(`${db}.lock`));
    // Another process can now write it (it re-indexes, i.e. takes SQLite's write lock too).
    const child = spawnChild('holdVault.ts', [db, notes]);
    assert.equal(await child.waitFor((l) => l.startsWith('ready') || l.startsWith('error')), `ready ${child.proc.pid}`);
    child.send('exit');
    const { code } = await child.exited;
    assert.equal(code, 0);
    assert.ok(!existsSync(`${db}.owner`), 'released by the exit hook');
    assert.ok(!existsSync(`${db}.lock`));
    Vault.open(db).close();
  } finally {
    t.cleanup();
  }
});

test('a live holder is never cleared: same process, other host; a reused PID or an unreadable record is stale', () => {
  const t = tempDir();
  try {
    const db = join(t.dir, 'v.db');
    const first = Vault.open(db);
    try {
      assert.throws(() => Vault.open(db), /being written by this process/);
      assert.equal(first.stats().files, 0, 'the first connection still works');
      assert.equal(JSON.parse(readFileSync(`${db}.owner`, 'utf8')).pid, process.pid);
    } finally {
      first.close();
    }
    assert.ok(!existsSync(`${db}.owner`));

    // A worker thread that was terminated without closing leaves this process's own lock behind;
    // its owner releases it explicitly (a foreign lock is never released that way).
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: process.pid, startedAt: processStartTime(process.pid), hostname: hostname() }));
    mkdirSync(`${db}.lock`);
    assert.throws(() => Vault.open(db), /being written by this process/);
    assert.equal(releaseOwnProcessLock(db), true);
    assert.ok(!existsSync(`${db}.lock`));
    Vault.open(db).close();
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: 1, startedAt: processStartTime(1), hostname: hostname() }));
    assert.equal(releaseOwnProcessLock(db), false);
    assert.throws(() => Vault.open(db), /being written by process 1\b/, 'a live foreign holder (init) is respected');
    assert.ok(existsSync(`${db}.owner`));

    // Another machine's writer (a vault on a shared drive) cannot be checked: it is respected.
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: 12345, startedAt: 1, hostname: 'some-other-host' }));
    assert.throws(() => Vault.open(db), /being written by process 12345 on some-other-host/);
    assert.equal(JSON.parse(readFileSync(`${db}.owner`, 'utf8')).hostname, 'some-other-host');

    // Our PID with another start time: the PID was reused after the writer died.
    writeFileSync(`${db}.owner`, JSON.stringify({ pid: process.pid, startedAt: (processStartTime(process.pid) ?? 0) - 3_600_000, hostname: hostname() }));
    Vault.open(db).close();
    // A damaged record.
    writeFileSync(`${db}.owner`, '{"pid": 12');
    Vault.open(db).close();
    assert.ok(!existsSync(`${db}.owner`));
  } finally {
    t.cleanup();
  }
});

test('a corrupt or foreign file gives a clear error, keeps its bytes, and leaves no lock behind', () => {
  const t = tempDir();
  try {
    const db = join(t.dir, 'v.db');
    const junk = Buffer.from('This is my shopping list, not a database.\n'.repeat(200));
    writeFileSync(db, junk);
    for (const readOnly of [false, true]) {
      assert.throws(() => Vault.open(db, { readOnly }), (err: Error) => {
        assert.match(err.message, /is not an SQLite database/);
        assert.match(err.message, new RegExp(db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        return true;
      });
      assert.ok(!existsSync(`${db}.owner`), 'no owner lock left behind');
      assert.ok(!existsSync(`${db}.lock`));
    }
    assert.deepEqual(readFileSync(db), junk, 'the file is untouched');

    assert.throws(() => Vault.open(join(t.dir, 'missing.db'), { readOnly: true }), /There is no vault at/);
    assert.throws(() => Vault.open(t.dir), /not a file/);
  } finally {
    t.cleanup();
  }
});
