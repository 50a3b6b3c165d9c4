// Closing the vault worker (what deactivate awaits) waits for what runs in and beyond its thread:
// when dispose() resolves, an answer that was streaming is stored as cancelled with its text so far
// (not left as a 'streaming' row), the engine process has exited, and the vault's owner lock is
// released. Real worker thread, real vault file, real tiny model in a real engine process.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { ownerFileOf } from '../../../src/vault/lock/ownerRecord';
import { VaultWorkerClient } from '../../../src/worker/vaultWorkerClient';
import { testModelsConfig } from '../../helpers/appGraph';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';

const workerFile = join(repoRoot, 'dist', 'vault-worker.js');

/** The engine processes this test process started (worker threads fork from this process). */
function ownEngines(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has exited; it only waits to be reaped.
      if (Number(ppid) === process.pid && state !== 'Z' && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('engine-host')) out.push(Number(d));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

test('dispose resolves once a streaming answer is stored as cancelled, the engine process has exited and the vault is closed', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(workerFile), `${workerFile} is missing: run node esbuild.mjs first`);
  const t = tempDir('cv-close-');
  const notes = join(t.dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), '# Zorblax rules\n\nThe zorblax checker enforces that every zorblax value has exactly one owner.\n');
  const dbFile = join(t.dir, 'vault.db');
  const client = new VaultWorkerClient(workerFile);
  try {
    await client.request({ kind: 'open', dbFile });
    await client.request({ kind: 'configure', roots: [notes], settings: { include: ['**/*.md'], exclude: [], maxFileBytes: 1 << 20 } });
    await client.request({ kind: 'index' });
    await client.call('models', 'configure', testModelsConfig(join(t.dir, 'models')));
    await client.call('models', 'addLocal', tinyModel, 'chat');
    const firstToken = new Promise<void>((resolve) => {
      client.subscribe(['answer'], (e) => { if (e.topic === 'answer' && e.event.type === 'token') resolve(); });
    });
    await client.call('chat', 'startAsk', 'closing-1', {
      conversationId: null, question: 'Tell me everything about the zorblax checker and its owner rules', context: [], vaultOnly: true,
      model: { path: tinyModel, contextSize: 1024 }, maxAnswerTokens: 800, temperature: 0.8,
    });
    await firstToken;
    assert.equal(ownEngines().length, 1, 'the answer runs in one engine process');
    assert.ok(existsSync(ownerFileOf(dbFile)), 'the open vault holds its owner lock');

    await client.dispose();
    assert.deepEqual(ownEngines(), [], 'the engine process was still running when dispose() resolved');
    assert.equal(existsSync(ownerFileOf(dbFile)), false, 'the owner lock was still held when dispose() resolved');
    const db = SqliteDatabase.open(dbFile, { readOnly: true });
    try {
      const rows = db.all<{ status: string; content: string }>("SELECT status, content FROM messages WHERE role = 'assistant'");
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.status, 'cancelled', 'the answer under way was stored as stopped, not left streaming');
      assert.ok(rows[0]!.content.length > 0, 'with the text it had so far');
    } finally {
      db.close();
    }
  } finally {
    await client.dispose();
    t.cleanup();
  }
});
