// Backfill with the real tiny model (64-dim vectors) through the engine client: killed mid-run
// in a child process, then resumed here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { BackfillJob, type BackfillProgress } from '../../../src/app/embeddings/backfill';
import { EmbeddingStore, embeddingText } from '../../../src/vault/embeddings/embeddingStore';
import { engineEmbedder } from '../../../src/app/engine/engineAdapters';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';
import { tinyEngine, writeNotes } from './helpers';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a backfill killed mid-run resumes where it stopped: no duplicates, everything embedded', { timeout: 300_000 }, async () => {
  const t = tempDir('cv-backfill-');
  const dbFile = join(t.dir, 'vault.db');
  try {
    const v0 = Vault.open(dbFile);
    writeNotes(join(t.dir, 'notes'), 30);
    await v0.indexRoots([join(t.dir, 'notes')]);
    const distinct = Number(v0.db.get<{ n: number }>('SELECT count(DISTINCT hash) AS n FROM chunks')!.n);
    v0.close();
    assert.ok(distinct >= 60);

    // Run the backfill in a child process (its own process group, so that its engine child
    // goes down with it) and kill -9 it after a few batches were committed.
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'backfillChild.ts'), dbFile], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    let enginePid: number | undefined;
    let killedAt: BackfillProgress | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      const p = JSON.parse(line) as BackfillProgress & { pid?: number; finished?: boolean };
      assert.notEqual(p.finished, true, 'the child finished before it could be killed');
      enginePid = p.pid ?? enginePid;
      if (p.done >= 12) {
        killedAt = p;
        process.kill(-child.pid!, 'SIGKILL');
        break;
      }
    }
    await new Promise((r) => child.once('exit', r));
    assert.ok(killedAt && killedAt.done < killedAt.total, 'killed mid-backfill');
    if (enginePid !== undefined) for (let i = 0; i < 50 && alive(enginePid); i++) await new Promise((r) => setTimeout(r, 100));

    // Reopen (the vault clears the dead writer's locks) and resume in this process.
    const vault = Vault.open(dbFile);
    const { engine, sha256 } = await tinyEngine(vault.db);
    try {
      const store = new EmbeddingStore(vault.db);
      const before = store.count(sha256);
      assert.ok(before >= 12 && before < distinct, `some but not all stored before the kill (${before}/${distinct})`);
      const handle = await engine.loadModel(tinyModel, { purpose: 'embed', threads: 1 });
      const embedder = engineEmbedder(engine, handle, sha256);
      const job = new BackfillJob(store, embedder, { batchSize: 8 });
      const r = await job.run();
      assert.equal(r.state, 'done');
      assert.equal(r.failed, 0);
      assert.equal(r.done, distinct - before, 'only what was missing is embedded again');
      assert.equal(r.total, distinct - before);
      const counts = vault.db.get<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT chunk_hash) AS d FROM embeddings WHERE model = ?', [sha256])!;
      assert.equal(Number(counts.n), distinct);
      assert.equal(Number(counts.d), distinct);
      assert.equal(store.missingCount(sha256), 0);
      assert.deepEqual(store.coverage(sha256).ratio, 1);
      assert.equal(vault.integrityCheck(), 'ok');
      // A vector written before the kill is intact: it equals a fresh embedding of its text.
      const first = vault.db.get<{ hash: string; title: string; headings: string; body: string }>(
        'SELECT c.hash, c.title, c.headings, c.body FROM chunks c WHERE EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ? AND e.chunk_hash = c.hash) ORDER BY c.id LIMIT 1',
        [sha256],
      )!;
      const stored = store.get(sha256, first.hash)!;
      const [fresh] = await embedder.embed([embeddingText(first.title, first.headings, first.body)]);
      const dot = stored.vector.reduce((s, x, i) => s + x * Number(fresh!.vector[i]), 0);
      assert.ok(dot > 0.999, `stored vector equals a fresh one (cos ${dot})`);
      assert.equal(stored.dim, 64);
      // Running again finds nothing to do.
      const again = await new BackfillJob(store, embedder).run();
      assert.equal(again.done, 0);
      assert.equal(again.state, 'done');
    } finally {
      await engine.dispose();
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});
