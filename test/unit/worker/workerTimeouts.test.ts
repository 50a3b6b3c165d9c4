// A worker request that takes longer than its limit is given up with a clear 'timeout' error that
// names the call, instead of leaving its caller waiting: here a configure queued behind a long
// index (mutations run one at a time). The worker carries on; the index completes. Real worker
// thread, real notes on disk.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REQUEST_TIMEOUTS, SERVICE_METHODS } from '../../../src/worker/protocol';
import { VaultWorkerClient, VaultWorkerError } from '../../../src/worker/vaultWorkerClient';
import { repoRoot, tempDir } from '../../helpers/paths';

const workerFile = join(repoRoot, 'dist', 'vault-worker.js');
const settings = { include: ['**/*.md'], exclude: [], maxFileBytes: 1 << 20 };

test('every request kind and allowed service method has a limit (or is marked as running until cancelled)', () => {
  for (const [kind, ms] of Object.entries(REQUEST_TIMEOUTS)) assert.ok(ms > 0, kind);
  for (const [service, methods] of Object.entries(SERVICE_METHODS)) {
    for (const [method, ms] of Object.entries(methods)) assert.ok(ms === null || ms > 0, `${service}.${method}`);
  }
  assert.equal(SERVICE_METHODS.models.download, null, 'a download runs until done or cancelled, reporting progress');
});

test('a request that runs past its limit fails with a clear timeout error; the worker carries on', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(workerFile), `${workerFile} is missing: run node esbuild.mjs first`);
  const t = tempDir('cv-worker-timeout-');
  const notes = join(t.dir, 'notes');
  mkdirSync(notes);
  for (let i = 0; i < 1500; i++) writeFileSync(join(notes, `note-${i}.md`), `# Note ${i}\n\n## Part\n\nText of note ${i} about subject ${i % 37}.\n`);
  const client = new VaultWorkerClient(workerFile);
  try {
    await client.request({ kind: 'open', dbFile: join(t.dir, 'vault.db') });
    await client.request({ kind: 'configure', roots: [notes], settings });
    const indexing = client.request({ kind: 'index' });
    const started = performance.now();
    await assert.rejects(client.request({ kind: 'configure', roots: [notes], settings }, { timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof VaultWorkerError);
      assert.equal(err.code, 'timeout');
      assert.match(err.message, /^The vault worker did not answer configure within 300 ms, so it was given up\./);
      return true;
    });
    assert.ok(performance.now() - started < 5000, 'the caller was told at its limit, not when the index ended');
    const r = await indexing;
    assert.equal(r.added, 1500, 'the index went on');
    assert.equal((await client.request({ kind: 'stats' })).files, 1500, 'the worker still answers');
  } finally {
    await client.dispose();
    t.cleanup();
  }
});
