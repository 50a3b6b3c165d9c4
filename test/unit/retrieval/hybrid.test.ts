// Ranking with hand-made vectors where the right answer is known: four topic axes
// [animals, memory, cooking, travel], notes indexed by the real Vault (FTS5), vectors stored per
// chunk hash under a test model key.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { Retriever, RetrievalError } from '../../../src/vault/retrieval/retriever';
import { Vault } from '../../../src/vault/vault';
import { VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { tempDir } from '../../helpers/paths';

const NOTES: Record<string, string> = {
  'pets/cats.md': '# Cats\n\nCats purr, chase mice and sleep most of the day.\n',
  'pets/dogs.md': '# Dogs\n\nDogs bark, fetch sticks and guard the house.\n',
  'rust/heap.md': '# Where values live\n\nBoxed values are allocated on the heap; the owner frees them when it goes out of scope.\n',
  'rust/stack.md': '# Fixed-size data\n\nIntegers and other fixed-size values are pushed on the stack and popped at the end of a call.\n',
  'kitchen/bread.md': '---\ntags: [baking]\n---\n# Bread\n\nKnead the dough, let it rise, bake it hot. See [[Ovens]].\n',
  'travel/rome.md': '# Rome\n\nThe train from the airport reaches the city centre in half an hour.\n',
  'travel/long.md': '# Trains of Europe\n\n## North\n\nTrains in the north run on time.\n\n## South\n\nTrains in the south are slower.\n\n## East\n\nTrains in the east are cheap.\n\n## West\n\nTrains in the west are fast.\n',
};

// Axis of each note (by path); a chunk's vector is its axis plus a small per-note offset.
const AXES: Record<string, number[]> = {
  'pets/cats.md': [1, 0.1, 0, 0],
  'pets/dogs.md': [0.9, 0, 0, 0.1],
  'rust/heap.md': [0, 1, 0, 0],
  'rust/stack.md': [0, 0.9, 0.05, 0],
  'kitchen/bread.md': [0, 0, 1, 0],
  'travel/rome.md': [0, 0, 0, 1],
  'travel/long.md': [0.05, 0, 0, 0.95],
};

async function withVault(fn: (ctx: { vault: Vault; retriever: Retriever; store: EmbeddingStore; hashes: Map<string, string[]> }) => Promise<void>, embedPaths = Object.keys(AXES)): Promise<void> {
  const t = tempDir('cv-hybrid-');
  const root = join(t.dir, 'notes');
  for (const [p, text] of Object.entries(NOTES)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const vault = Vault.open(join(t.dir, 'vault.db'));
  try {
    await vault.indexRoots([root]);
    const store = new EmbeddingStore(vault.db);
    const hashes = new Map<string, string[]>();
    for (const r of vault.db.all<{ path: string; hash: string }>('SELECT d.path, c.hash FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id')) {
      hashes.set(r.path, [...(hashes.get(r.path) ?? []), r.hash]);
    }
    for (const p of embedPaths) store.put('hand', hashes.get(p)!.map((h) => ({ chunkHash: h, vector: AXES[p]! })));
    const retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
    await fn({ vault, retriever, store, hashes });
  } finally {
    vault.close();
    t.cleanup();
  }
}

test('semantic mode ranks by meaning where no word matches', () =>
  withVault(async ({ retriever }) => {
    // "memory" axis; the words are in none of the notes.
    const r = await retriever.retrieve('where do allocations go', { mode: 'semantic', modelKey: 'hand', queryVector: [0, 1, 0, 0], limit: 3 });
    assert.equal(r.mode, 'semantic');
    assert.deepEqual(r.items.slice(0, 2).map((i) => i.path), ['rust/heap.md', 'rust/stack.md']);
    assert.equal(r.items[0]!.explain.vector!.rank, 1);
    assert.ok(Math.abs(r.items[0]!.explain.vector!.similarity - 1) < 1e-6);
    assert.equal(r.items[0]!.explain.lexical, null);
    assert.equal(r.bestSimilarity !== null && r.bestSimilarity > 0.99, true);
  }));

test('hybrid fuses: a chunk first in both rankings wins; each ranking brings its own best; explain adds up', () =>
  withVault(async ({ retriever }) => {
    // Lexically "heap" is only in rust/heap.md; the vector points at memory too: heap.md first.
    // "dough" (lexical) is bread; the vector's second axis brings stack.md in as well.
    const r = await retriever.retrieve('heap dough', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 1, 0, 0], limit: 5 });
    assert.equal(r.mode, 'hybrid');
    const paths = r.items.map((i) => i.path);
    assert.equal(paths[0], 'rust/heap.md');
    assert.ok(paths.includes('kitchen/bread.md'), 'the lexical-only hit is kept');
    assert.ok(paths.includes('rust/stack.md'), 'the vector-only hit is kept');
    const top = r.items[0]!.explain;
    // Neither word list has both words, so bm25 ranks each one-word match on its own; heap.md is
    // first overall because it is also the vector ranking's first.
    assert.ok(top.lexical !== null && top.lexical.rank <= 2);
    assert.equal(top.vector!.rank, 1);
    assert.ok(Math.abs(top.rrf - (1 / (60 + top.lexical.rank) + 1 / 61)) < 1e-12);
    assert.ok(Math.abs(top.fused - (top.rrf + top.boosts.title + top.boosts.tag + top.boosts.link)) < 1e-12);
    for (const it of r.items) assert.equal(it.score, it.explain.fused);
    const bread = r.items.find((i) => i.path === 'kitchen/bread.md')!;
    assert.ok(bread.explain.lexical !== null);
    assert.ok(bread.explain.vector === null || bread.explain.vector.rank > 2, 'bread is far from the memory axis');
  }));

test('boosts nudge the fused ranking; lexical mode is the vault\'s lexical ranking as it is', () =>
  withVault(async ({ vault, retriever }) => {
    const r = await retriever.retrieve('baking', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 0, 1, 0], limit: 3 });
    assert.equal(r.items[0]!.path, 'kitchen/bread.md');
    assert.ok(r.items[0]!.explain.boosts.tag > 0);
    const o = await retriever.retrieve('ovens bake', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 0, 1, 0], limit: 3 });
    assert.ok(o.items[0]!.explain.boosts.link > 0, 'wiki link [[Ovens]] matches "ovens"');
    // One lexical ranking: the answer path in lexical mode orders chunks as plain search does.
    for (const q of ['trains', 'where do values live on the heap', 'cats dogs', 'baking']) {
      const lex = await retriever.retrieve(q, { mode: 'lexical', limit: 10, perFileCap: 10 });
      assert.deepEqual(lex.items.map((i) => i.chunkId), vault.searchLexical(q, { limit: 10 }).map((h) => h.chunkId), q);
      assert.ok(lex.items.every((i) => i.explain.boosts.title === 0 && i.explain.boosts.tag === 0 && i.explain.boosts.link === 0));
    }
  }));

test('per-file cap: one long note does not fill the list', () =>
  withVault(async ({ retriever }) => {
    const r = await retriever.retrieve('trains', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 0, 0, 1], limit: 3, perFileCap: 2 });
    const paths = r.items.map((i) => i.path);
    assert.equal(paths.filter((p) => p === 'travel/long.md').length, 2);
    assert.ok(paths.includes('travel/rome.md'));
    const uncapped = await retriever.retrieve('trains', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 0, 0, 1], limit: 3, perFileCap: 10 });
    assert.ok(uncapped.items.every((i) => i.path === 'travel/long.md'));
  }));

test('default mode, fallbacks and filters', () =>
  withVault(async ({ retriever }) => {
    const d = await retriever.retrieve('cats', { modelKey: 'hand', queryVector: [1, 0, 0, 0] });
    assert.equal(d.mode, 'hybrid');
    const noModel = await retriever.retrieve('cats');
    assert.equal(noModel.mode, 'lexical');
    assert.equal(noModel.coverage, null);
    const none = await retriever.retrieve('cats', { mode: 'hybrid', modelKey: 'other-model', queryVector: [1, 0, 0, 0] });
    assert.equal(none.mode, 'lexical');
    assert.match(none.fallbackReason ?? '', /no vectors/);
    await assert.rejects(retriever.retrieve('cats', { mode: 'semantic', modelKey: 'other-model', queryVector: [1, 0, 0, 0] }), RetrievalError);
    await assert.rejects(retriever.retrieve('cats', { mode: 'semantic', modelKey: 'hand', queryVector: [1, 0, 0] }), /3 dimensions/);
    const scoped = await retriever.retrieve('anything', { mode: 'semantic', modelKey: 'hand', queryVector: [1, 0, 0, 0], pathPrefix: 'travel/' });
    assert.ok(scoped.items.length > 0 && scoped.items.every((i) => i.path.startsWith('travel/')));
    // The vector side reads a filter as the lexical side does: './' and '\\' normalized, roots by their path.
    const dotted = await retriever.retrieve('anything', { mode: 'semantic', modelKey: 'hand', queryVector: [1, 0, 0, 0], pathPrefix: '.\\travel/' });
    assert.deepEqual(dotted.items.map((i) => i.chunkId), scoped.items.map((i) => i.chunkId));
    const root = scoped.items[0]!.root;
    const inRoot = await retriever.retrieve('anything', { mode: 'semantic', modelKey: 'hand', queryVector: [1, 0, 0, 0], pathPrefix: 'travel/', roots: [root] });
    assert.deepEqual(inRoot.items.map((i) => i.chunkId), scoped.items.map((i) => i.chunkId));
    for (const mode of ['semantic', 'hybrid', 'lexical'] as const) {
      const elsewhere = await retriever.retrieve('trains', { mode, modelKey: 'hand', queryVector: [1, 0, 0, 0], roots: [`${root}-other`] });
      assert.deepEqual(elsewhere.items, [], mode);
    }
    const excluded = await retriever.retrieve('cats', { mode: 'hybrid', modelKey: 'hand', queryVector: [1, 0, 0, 0], excludeChunkIds: new Set([d.items[0]!.chunkId]) });
    assert.ok(!excluded.items.some((i) => i.chunkId === d.items[0]!.chunkId));
  }));

test('partial coverage is reported, and chunks without vectors are still found by words', () =>
  withVault(
    async ({ retriever }) => {
      const r = await retriever.retrieve('dogs bark', { modelKey: 'hand', queryVector: [1, 0, 0, 0] });
      assert.equal(r.mode, 'hybrid');
      assert.equal(r.partial, true);
      assert.ok(r.coverage!.embedded > 0 && r.coverage!.embedded < r.coverage!.total);
      assert.ok(Math.abs(r.coverage!.ratio - r.coverage!.embedded / r.coverage!.total) < 1e-12);
      const dogs = r.items.find((i) => i.path === 'pets/dogs.md')!;
      assert.equal(dogs.explain.vector, null, 'dogs.md has no vector yet');
      assert.equal(dogs.explain.lexical!.rank, 1);
    },
    ['pets/cats.md', 'rust/heap.md'],
  ));

test('reads run in one transaction per phase; the query is embedded outside any transaction; a given vector or an open transaction needs no other', () =>
  withVault(async ({ vault, retriever }) => {
    const inTx: boolean[] = [];
    const embedder = {
      modelKey: 'hand',
      dimension: 4,
      embed: async (texts: string[]) => {
        inTx.push(vault.db.inTransaction);
        return texts.map(() => ({ vector: [0, 1, 0, 0] }));
      },
    };
    const viaEmbedder = await retriever.retrieve('heap dough', { mode: 'hybrid', embedder, limit: 5 });
    assert.deepEqual(inTx, [false], 'embedded once, with no read lock held');
    assert.equal(vault.db.inTransaction, false, 'no transaction is left open');
    const viaVector = await retriever.retrieve('heap dough', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 1, 0, 0], limit: 5 });
    assert.deepEqual(viaEmbedder.items.map((i) => i.chunkId), viaVector.items.map((i) => i.chunkId));
    // Inside a caller's transaction the retriever reads in it rather than nesting one.
    const inside = await vault.db.transaction(() => retriever.retrieve('heap dough', { mode: 'hybrid', modelKey: 'hand', queryVector: [0, 1, 0, 0], limit: 5 }), false);
    assert.deepEqual(inside.items.map((i) => i.chunkId), viaVector.items.map((i) => i.chunkId));
    // A lexical-only request with an embedder never embeds.
    await retriever.retrieve('heap', { mode: 'lexical', embedder, limit: 5 });
    assert.equal(inTx.length, 1);
  }));
