// The embedding backfill survives what happens to it: cancelled, the worker killed while it runs
// (a new worker continues where the database says it stopped), and a model that cannot be used.
// Real vault worker thread, real tiny model; set-up in backfillFixture.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tinyModel } from '../../helpers/paths';
import { BackfillFixture } from './backfillFixture';

let f: BackfillFixture;

before(async () => {
  f = await BackfillFixture.create();
});

after(async () => {
  await f?.close();
});

test('cancel keeps what was embedded; after the worker is killed while paused, a new one stays paused, then resume continues where it stopped', async () => {
  const chunks = await f.chunkCount();
  await f.client.call('embeddings', 'start', { model: tinyModel, rebuild: true, batchSize: 2 });
  const some = await f.waitFor((x) => x.done >= 6 || x.state === 'done');
  const cancelled = await f.client.call('embeddings', 'cancel');
  assert.ok(some.state !== 'done', 'the run finished before it could be cancelled: make the vault bigger');
  assert.equal(cancelled.state, 'idle');
  assert.match(cancelled.message, /cancelled/i);
  const kept = cancelled.coverage?.embedded ?? 0;
  assert.ok(kept >= 6 && kept < chunks, `kept ${kept} of ${chunks}`);
  // Resume starts the last backfill again, and it gets killed (worker terminated) while held.
  await Promise.all([f.client.call('embeddings', 'resume'), f.client.call('embeddings', 'pause')]);
  await f.stopWorker();
  await f.openWorker();
  // The user had paused it: the new worker keeps the pause (recorded in the vault) until Resume.
  const again = await f.client.call('embeddings', 'start', { model: tinyModel, batchSize: 4 });
  assert.equal(again.state, 'paused', 'a pause survives the worker being killed');
  await new Promise((r) => setTimeout(r, 300));
  const held = await f.client.call('embeddings', 'status');
  assert.deepEqual([held.state, held.done], ['paused', 0], 'still held, nothing embedded while paused');
  await f.client.call('embeddings', 'resume');
  const s = await f.waitFor((x) => x.state === 'done');
  assert.deepEqual(s.coverage, { embedded: chunks, total: chunks, ratio: 1 });
  assert.equal(s.done, chunks - kept, 'only what was missing was embedded after the restart');
});

test('a model that cannot be used ends in a clear error, and full-text search still works', async () => {
  const s0 = await f.client.call('embeddings', 'start', { model: join(f.tmp.dir, 'no-such-model.gguf') });
  assert.equal(s0.state, 'running');
  const s = await f.waitFor((x) => x.state === 'error');
  assert.match(s.error ?? '', /no-such-model\.gguf/);
  assert.match(s.message, /full-text search still works/i);
  const hits = await f.client.request({ kind: 'search', query: 'glaciers', mode: 'lexical', limit: 5 });
  assert.equal(hits.items[0]?.path, 'glaciers.md');
});
