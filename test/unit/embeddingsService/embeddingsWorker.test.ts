// The embedding backfill through the real vault worker thread and the real tiny model: to 100%
// coverage while the worker keeps answering, only changed chunks re-embedded, pause/resume, another
// model without mixing vectors, and the clear "no embedding model" status. Set-up: backfillFixture.ts.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { sha256File } from '../../../src/engine/checksum';
import { BackfillFixture } from './backfillFixture';

let f: BackfillFixture;

before(async () => {
  f = await BackfillFixture.create();
});

after(async () => {
  await f?.close();
});

test('with no embedding model it does nothing and says full-text search works', async () => {
  const s = await f.client.call('embeddings', 'start', { model: '' });
  assert.equal(s.state, 'idle');
  assert.equal(s.model, null);
  assert.equal(s.coverage, null);
  assert.match(s.message, /no embedding model is chosen/i);
  assert.match(s.message, /full-text search works/i);
  assert.equal((await f.client.request({ kind: 'stats' })).embedded, 0);
});

test('backfills every chunk to 100% coverage in the background; search answers meanwhile', async () => {
  const chunks = await f.chunkCount();
  assert.ok(chunks >= 30, `expected >= 30 chunks, got ${chunks}`);
  const started = await f.client.call('embeddings', 'start', { model: tinyModel, batchSize: 4 });
  assert.equal(started.state, 'running');
  assert.equal(started.model, tinyModel);
  // The worker still answers requests while the backfill runs.
  const hits = await f.client.request({ kind: 'search', query: 'lighthouses', mode: 'lexical', limit: 5 });
  assert.equal(hits.items[0]?.path, 'lighthouses.md');
  const s = await f.waitFor((x) => x.state === 'done');
  assert.equal(s.modelKey, tinyModelSha256);
  assert.deepEqual(s.coverage, { embedded: chunks, total: chunks, ratio: 1 });
  assert.equal(s.done, chunks);
  assert.equal(s.failed, 0);
  assert.match(s.message, /100% of chunks embedded/);
  assert.equal((await f.client.request({ kind: 'stats' })).embedded, chunks);
  // Asking again finds nothing left to do.
  await f.client.call('embeddings', 'start', { model: tinyModel });
  const again = await f.waitFor((x) => x.state === 'done');
  assert.equal(again.done, 0);
});

test('an edited note: only its changed chunk is embedded again, the old vector is collected', async () => {
  const file = join(f.notes, 'comets.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('a short history of comets', 'a short and revised history of comets'));
  const changed = await f.client.request({ kind: 'applyChanges', changes: [{ kind: 'changed', path: file }] });
  assert.equal(changed.applied, 1);
  const chunks = await f.chunkCount();
  const before = await f.client.call('embeddings', 'status');
  assert.equal(before.coverage?.embedded, chunks - 1);
  await f.client.call('embeddings', 'start', { model: tinyModel });
  const s = await f.waitFor((x) => x.state === 'done');
  assert.equal(s.done, 1);
  assert.deepEqual(s.coverage, { embedded: chunks, total: chunks, ratio: 1 });
  // The replaced text's vector is gone: one vector per chunk text, no orphans.
  await f.client.call('embeddings', 'pause'); // nothing runs: a no-op, the database is quiet for the read below
  const db = SqliteDatabase.open(f.dbFile, { readOnly: true });
  try {
    assert.equal(new EmbeddingStore(db).count(tinyModelSha256), chunks);
  } finally {
    db.close();
  }
});

test('pause holds the backfill before its next batch; resume finishes it', async () => {
  const chunks = await f.chunkCount();
  // Sent back to back: the worker takes the pause before the model is even loaded.
  const [started, paused] = await Promise.all([
    f.client.call('embeddings', 'start', { model: tinyModel, rebuild: true, batchSize: 4 }),
    f.client.call('embeddings', 'pause'),
  ]);
  assert.equal(started.state, 'running');
  assert.equal(paused.state, 'paused');
  await f.waitFor((x) => x.modelKey !== null);
  // The job reports itself once as it starts and reaches the pause gate: let that land (on a loaded
  // machine it can come a moment after the model key), i.e. wait for a quiet half second.
  const held = await f.quiet(500);
  assert.equal(held.state, 'paused');
  assert.equal(held.coverage?.embedded, 0, 'rebuild forgot the vectors and nothing was embedded while paused');
  // Nothing changes while it is held: no event comes, and the status is the same.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(f.latest?.version, held.version);
  const later = await f.client.call('embeddings', 'status');
  assert.equal(later.coverage?.embedded, 0);
  const resumed = await f.client.call('embeddings', 'resume');
  assert.equal(resumed.state, 'running');
  const s = await f.waitFor((x) => x.state === 'done');
  assert.deepEqual(s.coverage, { embedded: chunks, total: chunks, ratio: 1 });
  assert.equal(s.done, chunks);
});

test('another embedding model re-embeds from 0% without mixing vectors of the two models', async () => {
  const chunks = await f.chunkCount();
  const variantKey = await sha256File(f.variant);
  assert.notEqual(variantKey, tinyModelSha256);
  await Promise.all([
    f.client.call('embeddings', 'start', { model: f.variant, batchSize: 4 }),
    f.client.call('embeddings', 'pause'),
  ]);
  const held = await f.waitFor((x) => x.modelKey !== null);
  assert.equal(held.model, f.variant);
  assert.equal(held.modelKey, variantKey);
  assert.deepEqual(held.coverage, { embedded: 0, total: chunks, ratio: 0 });
  await f.client.call('embeddings', 'resume');
  const s = await f.waitFor((x) => x.state === 'done');
  assert.deepEqual(s.coverage, { embedded: chunks, total: chunks, ratio: 1 });
  const db = SqliteDatabase.open(f.dbFile, { readOnly: true });
  try {
    const models = new EmbeddingStore(db).models();
    assert.deepEqual(models, [
      { model: tinyModelSha256, count: chunks, dim: 64 },
      { model: variantKey, count: chunks, dim: 64 },
    ].sort((a, b) => a.model.localeCompare(b.model)));
  } finally {
    db.close();
  }
});
