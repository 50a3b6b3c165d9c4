// The fast paths of a large index: files prepared in the worker thread, chunks written without
// the chunks(hash) index (built at the end), and full-text rows written once per batch
// (migration 0003). Each must give exactly the vault the plain path gives.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VaultStore } from '../../../src/vault/store/vaultStore';
import type { DocumentRecord } from '../../../src/vault/store/rows';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';
import { copyRustBook, ftsCount } from './support/vaultFixtures';

/** Everything the index holds, independent of row ids. */
function contents(v: Vault): string[] {
  return v.db
    .all<{ k: string }>("SELECT d.path || '#' || c.ord || ':' || c.start_line || '-' || c.end_line || ':' || c.hash || ':' || c.title || ':' || c.headings || ':' || c.tags AS k FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY d.path, c.ord")
    .map((r) => r.k);
}

function hasChunkHashIndex(v: Vault): boolean {
  return v.db.get("SELECT 1 AS x FROM sqlite_schema WHERE type = 'index' AND name = 'chunks_hash'") !== undefined;
}

const WORDS = ['ownership', 'borrowing', 'lifetime', 'closure', 'iterator', 'unsafe', 'trait', 'wombat'];

test('the prepare worker and a bulk load give the same vault, full-text index and search results as the plain path', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes);
    const plain = Vault.open(join(t.dir, 'plain.db'));
    const fast = Vault.open(join(t.dir, 'fast.db'));
    try {
      const a = await plain.indexRoots([notes], { prepareInWorker: false, bulkLoad: false, batchSize: 7 });
      const progress: number[] = [];
      const b = await fast.indexRoots([notes], { prepareInWorker: true, bulkLoad: true, batchSize: 7, onProgress: (p) => p.phase === 'indexing' && progress.push(p.done) });
      assert.deepEqual([b.added, b.chunks, b.totalFiles, b.totalChunks], [a.added, a.chunks, a.totalFiles, a.totalChunks]);
      assert.ok(a.added > 100);
      // Progress still comes batch by batch, in order.
      assert.equal(progress.length, Math.ceil(a.added / 7) + 1);
      assert.deepEqual([...progress].sort((x, y) => x - y), progress);
      assert.deepEqual(contents(fast), contents(plain));
      for (const w of WORDS) assert.equal(ftsCount(fast, w), ftsCount(plain, w), `FTS rows matching ${w}`);
      for (const q of ['ownership borrowing', 'lifetime', 'closure iterator', 'unsafe trait']) {
        assert.deepEqual(fast.searchLexical(q, { limit: 5 }).map((h) => [h.path, h.startLine]), plain.searchLexical(q, { limit: 5 }).map((h) => [h.path, h.startLine]), q);
      }
      assert.ok(hasChunkHashIndex(fast), 'the bulk load built chunks(hash) again');
      assert.equal(fast.db.get<{ n: number }>('SELECT count(*) AS n FROM fts_deferred')?.n, 0);
      assert.equal(fast.integrityCheck(), 'ok');
      // A second run finds nothing to do, whichever path wrote the vault.
      const again = await fast.indexRoots([notes], { prepareInWorker: true });
      assert.deepEqual([again.indexed, again.unchanged], [0, a.added]);
    } finally {
      plain.close();
      fast.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a first index of 1000 notes takes the bulk path by default and ends with every index in place', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    for (let i = 0; i < 1000; i++) {
      const dir = join(notes, `d${i % 10}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `n${i}.md`), `# Note ${i}\n\nThe wombat number w${i} digs.\n\n## Second\n\nMore about #tag${i % 7} and [[Note ${(i + 1) % 1000}]].\n`);
    }
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      const s = await v.indexRoots([notes]);
      assert.deepEqual([s.added, s.totalChunks], [1000, 2000]);
      assert.equal(ftsCount(v, 'wombat'), 1000);
      assert.equal(v.searchLexical('w417')[0]?.path, 'd7/n417.md');
      assert.ok(hasChunkHashIndex(v));
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a vault left without chunks(hash) by a killed bulk load gets it back when opened for writing', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, undefined, 3);
    const file = join(t.dir, 'v.db');
    let v = Vault.open(file);
    await v.indexRoots([notes]);
    v.db.exec('DROP INDEX chunks_hash');
    assert.ok(!hasChunkHashIndex(v));
    v.close();
    v = Vault.open(file);
    try {
      assert.ok(hasChunkHashIndex(v));
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

function record(path: string, words: string[]): DocumentRecord {
  return {
    path, size: 1, mtimeMs: 1, hash: `h-${path}-${words.join('-')}`, title: path, tags: [], aliases: [], links: [], lineCount: words.length,
    chunks: words.map((w, i) => ({ ord: i, startLine: i + 1, endLine: i + 1, hash: `c-${w}`, title: path, headings: '', body: `The ${w} sleeps.`, tags: '', ftsTitle: null, ftsHeadings: null, ftsBody: null })),
  };
}

test('batched full-text rows: edits and deletions inside the batch stay consistent; a failed batch rolls back whole; other writers keep the trigger', () => {
  const t = tempDir();
  try {
    const v = Vault.open(join(t.dir, 'v.db'));
    try {
      const store = new VaultStore(v.db);
      assert.throws(() => store.withBatchedFts(() => 0), /inside a write transaction/);
      const root = v.db.transaction(() => store.ensureRoot('/notes'));
      v.db.transaction(() =>
        store.withBatchedFts(() => {
          const a = store.insertDocument(root, record('a.md', ['aardvark', 'badger']));
          // The same note replaced and another deleted before the batch's FTS rows are written:
          // the rows they remove must exist first.
          store.replaceDocument(a, record('a.md', ['badger', 'capybara']));
          const d = store.insertDocument(root, record('d.md', ['dingo']));
          store.deleteDocument(d);
          store.insertDocument(root, record('e.md', ['echidna']));
          store.renameDocument(store.insertDocument(root, record('f.md', ['ferret'])), 'g.md', 1, 1, { title: 'g.md', chunkTitle: 'gerbil' });
        }),
      );
      assert.deepEqual(['aardvark', 'badger', 'capybara', 'dingo', 'echidna', 'ferret', 'gerbil'].map((w) => ftsCount(v, w)), [0, 1, 1, 0, 1, 1, 1]);
      assert.equal(v.integrityCheck(), 'ok');

      assert.throws(() =>
        v.db.transaction(() =>
          store.withBatchedFts(() => {
            store.insertDocument(root, record('h.md', ['hedgehog']));
            throw new Error('disk full');
          }),
        ),
      /disk full/);
      assert.equal(v.db.get<{ n: number }>('SELECT count(*) AS n FROM fts_deferred')?.n, 0);
      assert.equal(v.db.get<{ n: number }>("SELECT count(*) AS n FROM documents WHERE path = 'h.md'")?.n, 0);
      assert.equal(ftsCount(v, 'hedgehog'), 0);

      // Outside a batch (live updates, tools), chunks_ai indexes each row as before.
      v.db.transaction(() => store.insertDocument(root, record('i.md', ['ibex'])));
      v.db.run("INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body) SELECT id, 9, 1, 1, 'x', 'i', '', 'jackal' FROM documents WHERE path = 'i.md'");
      assert.deepEqual([ftsCount(v, 'ibex'), ftsCount(v, 'jackal')], [1, 1]);
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});
