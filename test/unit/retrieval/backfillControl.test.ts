// Backfill controls with the real tiny model through the engine client: pause, resume, cancel,
// a second model key beside the first, and a dimension mismatch.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BackfillJob } from '../../../src/app/embeddings/backfill';
import type { Embedder } from '../../../src/vault/embeddings/embedder';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { engineEmbedder } from '../../../src/app/engine/engineAdapters';
import { VectorError } from '../../../src/vault/vectors/quantize';
import { Vault } from '../../../src/vault/vault';
import { tempDir, tinyModel } from '../../helpers/paths';
import { tinyEngine, writeNotes } from './helpers';

test('pause, resume and cancel; another model re-embeds without mixing; another dimension is refused', { timeout: 300_000 }, async () => {
  const t = tempDir('cv-backfill-');
  const vault = Vault.open(join(t.dir, 'vault.db'));
  const { engine, sha256 } = await tinyEngine(vault.db);
  try {
    writeNotes(join(t.dir, 'notes'), 10);
    await vault.indexRoots([join(t.dir, 'notes')]);
    const store = new EmbeddingStore(vault.db);
    const handle = await engine.loadModel(tinyModel, { purpose: 'embed', threads: 1 });
    const embedder = engineEmbedder(engine, handle, sha256);
    const total = store.missingCount(sha256);

    // Pause after the first batch: nothing more is stored until resume.
    const states: string[] = [];
    let job: BackfillJob;
    let pausedAt = -1;
    job = new BackfillJob(store, embedder, {
      batchSize: 2,
      onProgress: (p) => {
        states.push(p.state);
        if (p.done === 2 && pausedAt === -1) {
          pausedAt = p.done;
          job.pause();
        }
      },
    });
    const running = job.run();
    while (job.progress.state !== 'paused') await new Promise((r) => setTimeout(r, 20));
    const storedWhilePaused = store.count(sha256);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(store.count(sha256), storedWhilePaused, 'nothing is embedded while paused');
    assert.equal(storedWhilePaused, 2);
    job.resume();
    const done = await running;
    assert.equal(done.state, 'done');
    assert.equal(done.done, total);
    assert.ok(states.includes('paused') && states.includes('running'));

    // Cancel: a fresh model key (same file, as if another model) stops part way and keeps what it stored.
    const other: Embedder = { ...embedder, modelKey: 'other-model', embed: embedder.embed };
    const controller = new AbortController();
    const cancelled = await new BackfillJob(store, other, {
      batchSize: 2,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 4) controller.abort();
      },
    }).run();
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.done >= 4 && cancelled.done < total);
    assert.equal(store.count('other-model'), cancelled.done);
    // The first model's vectors are untouched by the second model's run.
    assert.equal(store.count(sha256), total);
    const resumed = await new BackfillJob(store, other, { batchSize: 4 }).run();
    assert.equal(resumed.done, total - cancelled.done);
    assert.equal(store.count('other-model'), total);

    // Same model key, another dimension: refused before anything is embedded.
    const wrongDim: Embedder = { modelKey: sha256, dimension: 32, embed: embedder.embed };
    await assert.rejects(new BackfillJob(store, wrongDim).run(), VectorError);
  } finally {
    await engine.dispose();
    vault.close();
    t.cleanup();
  }
});
