// Cost per call of the vectors: a batch of new vectors is appended to the loaded index (it is not
// read again from the database), with the same search results as a fresh load; and the active
// embedding model's coverage is kept by the database, equal to counting it, through every kind of
// change to chunks and vectors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { VectorIndex, VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { randomVector, rng, withDb } from './helpers';

function sameResults(a: VectorIndex, b: VectorIndex, queries: Float32Array[], what: string): void {
  for (const [i, q] of queries.entries()) {
    for (const k of [1, 10, 40]) {
      assert.deepEqual(a.search(q, k).matches, b.search(q, k).matches, `${what}: query ${i}, k ${k}`);
    }
    const allow = new Set(b.hashes.filter((_, j) => j % 3 === 0));
    assert.deepEqual(a.search(q, 10, { allow }).matches, b.search(q, 10, { allow }).matches, `${what}: query ${i}, filtered`);
  }
}

test('new vectors are appended to the loaded index, replaced ones overwrite their row; results equal a fresh load', () =>
  withDb((db) => {
    const rand = rng(11);
    const dim = 32;
    const store = new EmbeddingStore(db);
    const cache = new VectorIndexCache(db);
    const put = (from: number, to: number, prefix = 'c'): void => {
      store.put('m', Array.from({ length: to - from }, (_, i) => ({ chunkHash: `${prefix}${String(from + i).padStart(5, '0')}`, vector: randomVector(rand, dim) })));
    };
    put(0, 300);
    const idx = cache.get('m');
    assert.equal(idx.count, 300);
    assert.equal(idx.appendedRows, 0);
    // Five embedding batches, as the backfill writes them, with a query between each.
    const queries = Array.from({ length: 12 }, () => randomVector(rand, dim));
    for (let b = 0; b < 5; b++) {
      put(300 + b * 16, 300 + (b + 1) * 16);
      const after = cache.get('m');
      assert.equal(after, idx, 'the same index object: not loaded again');
      sameResults(after, VectorIndex.load(db, 'm'), queries, `after batch ${b + 1}`);
    }
    assert.equal(idx.count, 380);
    assert.equal(idx.appendedRows, 80, 'only the new rows were read');
    // A rebuild writes new vectors for texts it has: their rows are overwritten, none added.
    put(0, 10);
    assert.equal(cache.get('m'), idx);
    assert.equal(idx.count, 380);
    assert.equal(idx.appendedRows, 90);
    sameResults(idx, VectorIndex.load(db, 'm'), queries, 'after replacing 10');
    // Past the spare room the arrays grow, still without reading old vectors again.
    put(1000, 2500, 'g');
    assert.equal(cache.get('m'), idx);
    assert.equal(idx.count, 1880);
    assert.equal(idx.appendedRows, 1590);
    sameResults(idx, VectorIndex.load(db, 'm'), queries, 'after growing');
    // Removing vectors (garbage collection: no chunk has these texts) loads the index again.
    assert.ok(store.collectGarbage() > 0);
    const reloaded = cache.get('m');
    assert.notEqual(reloaded, idx);
    assert.equal(reloaded.count, 0);
  }));

test('an index loaded before any vector existed takes the first ones in', () =>
  withDb((db) => {
    const store = new EmbeddingStore(db);
    const cache = new VectorIndexCache(db);
    const empty = cache.get('m');
    assert.equal(empty.count, 0);
    store.put('m', [{ chunkHash: 'a', vector: [1, 0, 0] }, { chunkHash: 'b', vector: [0, 1, 0] }]);
    assert.equal(cache.get('m'), empty);
    assert.deepEqual(empty.search([0, 1, 0], 1).matches.map((m) => m.chunkHash), ['b']);
  }));

function countCovered(db: SqliteDatabase, model: string): number {
  return Number(db.get<{ n: number }>('SELECT count(*) AS n FROM chunks c WHERE EXISTS (SELECT 1 FROM embeddings e WHERE e.model = ? AND e.chunk_hash = c.hash)', [model])?.n);
}

test('the active model is kept explicitly and its coverage equals counting it, whatever changes', () =>
  withDb((db) => {
    const store = new EmbeddingStore(db);
    db.run("INSERT INTO roots (id, path, name) VALUES (1, '/r', 'r')");
    db.run("INSERT INTO documents (id, root_id, path, size, mtime_ms, hash, title, indexed_at) VALUES (1, 1, 'a.md', 1, 1, 'd1', 'A', 1)");
    db.run("INSERT INTO documents (id, root_id, path, size, mtime_ms, hash, title, indexed_at) VALUES (2, 1, 'b.md', 1, 1, 'd2', 'B', 1)");
    const chunk = (doc: number, ord: number, hash: string): void => {
      db.run('INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body) VALUES (?, ?, 1, 1, ?, ?, ?, ?)', [doc, ord, hash, 'T', '', `text ${hash}`]);
    };
    const check = (what: string): void => {
      const active = store.activeCoverage();
      assert.ok(active, what);
      assert.equal(active.embedded, countCovered(db, active.model), what);
      assert.equal(active.total, Number(db.get<{ n: number }>('SELECT count(*) AS n FROM chunks')?.n), what);
    };
    for (let i = 0; i < 6; i++) chunk(1, i, `h${i}`);
    chunk(2, 0, 'h0'); // the same text in two notes: two chunks, one vector
    assert.equal(store.activeModel(), undefined);
    assert.equal(store.activeCoverage(), undefined);
    store.put('old', [{ chunkHash: 'h0', vector: [1, 0] }, { chunkHash: 'h1', vector: [0, 1] }]);
    store.put('m', [{ chunkHash: 'h0', vector: [1, 0, 0] }, { chunkHash: 'h2', vector: [0, 1, 0] }]);
    store.setActiveModel('m');
    assert.equal(store.activeModel(), 'm');
    check('set active');
    assert.equal(store.activeCoverage()?.embedded, 3);
    store.put('m', [{ chunkHash: 'h3', vector: [0, 0, 1] }, { chunkHash: 'h0', vector: [1, 1, 0] }]);
    check('new vector and a replaced one');
    store.put('old', [{ chunkHash: 'h4', vector: [1, 1] }]);
    check('another model written');
    chunk(2, 1, 'h3');
    chunk(2, 2, 'unseen');
    check('chunks added');
    db.run("DELETE FROM chunks WHERE hash = 'h0' AND doc_id = 2");
    check('a chunk deleted');
    db.run('DELETE FROM documents WHERE id = 2');
    check('a note deleted (its chunks cascade)');
    db.run("UPDATE chunks SET hash = 'h2' WHERE hash = 'h5'");
    check('a chunk changed its text');
    db.run("DELETE FROM chunks WHERE hash = 'h3'");
    assert.ok(store.collectGarbage() > 0);
    check('garbage collected');
    store.setActiveModel('old');
    check('switched to another model');
    store.setActiveModel('m');
    store.deleteModel('m');
    check('the active model deleted (a rebuild)');
    assert.equal(store.activeCoverage()?.embedded, 0);
    assert.deepEqual(store.coverage('m'), { embedded: 0, total: 5, ratio: 0 });
  }));
