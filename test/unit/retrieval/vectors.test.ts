import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { normalize, quantizeInt8, VectorError } from '../../../src/vault/vectors/quantize';
import { VectorIndex, VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { gaussian, randomVector, rng, withDb } from './helpers';

test('normalize gives unit length and refuses vectors without a direction', () => {
  const v = normalize([3, 4]);
  assert.ok(Math.abs(v[0]! - 0.6) < 1e-7 && Math.abs(v[1]! - 0.8) < 1e-7);
  assert.throws(() => normalize([0, 0, 0]), VectorError);
  assert.throws(() => normalize([1, Number.NaN]), /non-finite/);
});

test('int8 quantization stays within half a step of every component', () => {
  const rand = rng(7);
  for (let n = 0; n < 50; n++) {
    const v = normalize(randomVector(rand, 97));
    const q = quantizeInt8(v);
    for (let i = 0; i < v.length; i++) {
      assert.ok(Math.abs(q.i8[i]! * q.scale - v[i]!) <= q.scale / 2 + 1e-9, `component ${i} off by more than scale/2`);
      assert.ok(q.i8[i]! >= -127 && q.i8[i]! <= 127);
    }
  }
});

function sameMatches(a: { chunkHash: string; similarity: number }[], b: { chunkHash: string; similarity: number }[], what: string): void {
  assert.deepEqual(
    a.map((m) => m.chunkHash),
    b.map((m) => m.chunkHash),
    what,
  );
  a.forEach((m, i) => assert.equal(m.similarity, b[i]!.similarity, `${what}: similarity of rank ${i + 1}`));
}

test('int8 search with f32 re-scoring equals exact f32 top-k on random data', () =>
  withDb((db) => {
    const rand = rng(42);
    const store = new EmbeddingStore(db);
    const dim = 64;
    store.put(
      'm',
      Array.from({ length: 3000 }, (_, i) => ({ chunkHash: `h${String(i).padStart(5, '0')}`, vector: randomVector(rand, dim) })),
    );
    const idx = VectorIndex.load(db, 'm');
    assert.equal(idx.count, 3000);
    assert.equal(idx.dim, dim);
    for (let q = 0; q < 60; q++) {
      const query = randomVector(rand, dim);
      for (const k of [1, 10, 25]) {
        const r = idx.search(query, k);
        sameMatches(r.matches, idx.searchExact(query, k), `query ${q}, k ${k}`);
        assert.equal(r.matches.length, k);
      }
    }
  }));

test('int8 search equals exact top-k on adversarial data: near-duplicates below int8 resolution and exact ties', () =>
  withDb((db) => {
    const rand = rng(3);
    const store = new EmbeddingStore(db);
    const dim = 48;
    const base = randomVector(rand, dim);
    const items: { chunkHash: string; vector: Float32Array }[] = [];
    // 400 vectors that differ from `base` by far less than one int8 step: the int8 pass cannot
    // order them, so the top-k must come from the error-bound re-scoring.
    for (let i = 0; i < 400; i++) {
      const v = Float32Array.from(base, (x) => x + gaussian(rand) * 1e-4);
      items.push({ chunkHash: `near${String(i).padStart(4, '0')}`, vector: v });
    }
    // Exact duplicates: equal similarities, which must come out in a stable (hash) order.
    for (let i = 0; i < 20; i++) items.push({ chunkHash: `dup${String(i).padStart(2, '0')}`, vector: Float32Array.from(base) });
    // Background noise, and vectors with one huge component (coarse int8 scale for the rest).
    for (let i = 0; i < 1500; i++) items.push({ chunkHash: `bg${String(i).padStart(4, '0')}`, vector: randomVector(rand, dim) });
    for (let i = 0; i < 100; i++) {
      const v = Float32Array.from(base, (x) => x * 0.5);
      v[i % dim] = 40;
      items.push({ chunkHash: `spike${String(i).padStart(3, '0')}`, vector: v });
    }
    store.put('adv', items);
    const idx = VectorIndex.load(db, 'adv');
    const queries = [base, Float32Array.from(base, (x) => x + 0.01), ...Array.from({ length: 10 }, () => Float32Array.from(base, (x) => x + gaussian(rand) * 0.05))];
    for (const [qi, query] of queries.entries()) {
      for (const k of [1, 5, 10, 30]) {
        const r = idx.search(query, k, { candidates: 8 });
        sameMatches(r.matches, idx.searchExact(query, k), `adversarial query ${qi}, k ${k}`);
      }
    }
    // The near-duplicates were only ordered correctly because the error bound pulled more rows in.
    assert.ok(idx.search(base, 10, { candidates: 8 }).stats.rescored > 8);
    // The duplicates tie exactly; ties are ordered by hash, so dup00 comes before dup01.
    const top = idx.search(base, 420).matches.filter((m) => m.chunkHash.startsWith('dup'));
    assert.deepEqual(top.map((m) => m.chunkHash), items.filter((i) => i.chunkHash.startsWith('dup')).map((i) => i.chunkHash));
  }));

test("vectors of another model are never mixed in, and each model keeps its own dimension", () =>
  withDb((db) => {
    const store = new EmbeddingStore(db);
    // Same chunk hashes, different models, opposite vectors.
    store.put('model-a', [
      { chunkHash: 'x', vector: [1, 0, 0, 0] },
      { chunkHash: 'y', vector: [0, 1, 0, 0] },
    ]);
    store.put('model-b', [
      { chunkHash: 'x', vector: [0, 1, 0, 0, 0, 0] },
      { chunkHash: 'y', vector: [1, 0, 0, 0, 0, 0] },
      { chunkHash: 'z', vector: [0, 0, 1, 0, 0, 0] },
    ]);
    const cache = new VectorIndexCache(db);
    const a = cache.get('model-a');
    const b = cache.get('model-b');
    assert.equal(a.count, 2);
    assert.equal(b.count, 3);
    assert.equal(a.dim, 4);
    assert.equal(b.dim, 6);
    assert.deepEqual(a.search([1, 0, 0, 0], 1).matches.map((m) => m.chunkHash), ['x']);
    assert.deepEqual(b.search([1, 0, 0, 0, 0, 0], 1).matches.map((m) => m.chunkHash), ['y']);
    assert.equal(a.has('z'), false);
    assert.deepEqual(Array.from(store.get('model-a', 'x')!.vector), [1, 0, 0, 0]);
    assert.deepEqual(Array.from(store.get('model-b', 'x')!.vector), [0, 1, 0, 0, 0, 0]);
    // A query of another model's dimension is refused, not truncated or padded.
    assert.throws(() => a.search([1, 0, 0, 0, 0, 0], 1), (e: unknown) => e instanceof VectorError && /6 dimensions.*4/.test(e.message));
    // A vector of another dimension for an existing model is refused and nothing is written.
    assert.throws(() => store.put('model-a', [{ chunkHash: 'w', vector: [1, 2] }]), /4-dimensional vectors; a 2-dimensional/);
    assert.equal(store.count('model-a'), 2);
    // A whole batch is refused when one vector is wrong: the transaction rolls back.
    assert.throws(() => store.put('model-a', [{ chunkHash: 'v', vector: [1, 2, 3, 4] }, { chunkHash: 'u', vector: [1] }]), VectorError);
    assert.equal(store.get('model-a', 'v'), undefined);
  }));

test('the index takes in writes, reports memory, and garbage collection drops orphans', () =>
  withDb((db) => {
    const store = new EmbeddingStore(db);
    const cache = new VectorIndexCache(db);
    store.put('m', [{ chunkHash: 'a', vector: [1, 0, 0, 0, 0, 0, 0, 0] }]);
    const first = cache.get('m');
    assert.equal(first.count, 1);
    assert.equal(cache.get('m'), first, 'unchanged generation: the same index');
    store.put('m', [{ chunkHash: 'b', vector: [0, 1, 0, 0, 0, 0, 0, 0] }]);
    const second = cache.get('m');
    assert.equal(second.count, 2);
    const mem = VectorIndex.load(db, 'm').memory();
    assert.equal(mem.int8Bytes, 2 * 8);
    assert.equal(mem.f32Bytes, 2 * 8 * 4);
    assert.equal(mem.scaleBytes, 2 * 4);
    assert.ok(mem.totalBytes > mem.int8Bytes + mem.f32Bytes);
    // No chunk has hash 'a' or 'b': both vectors are orphans.
    db.run("INSERT INTO roots (id, path, name) VALUES (1, '/r', 'r')");
    db.run("INSERT INTO documents (id, root_id, path, size, mtime_ms, hash, title, indexed_at) VALUES (1, 1, 'n.md', 1, 1, 'd', 'N', 1)");
    db.run("INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body) VALUES (1, 0, 1, 1, 'b', 'N', '', 'text')");
    assert.equal(store.collectGarbage(), 1);
    assert.equal(cache.get('m').count, 1);
    store.setActiveModel('m');
    assert.deepEqual(store.coverage('m'), { embedded: 1, total: 1, ratio: 1 });
    assert.equal(store.coverage('other').embedded, 0);
  }));
