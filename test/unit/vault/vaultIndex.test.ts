// The incremental indexer against real files and a real SQLite vault: edits, renames,
// deletions, touched files, skipped files, progress, cancellation and live single-file updates.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Vault, type IndexProgress } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';
import { chunksOf, copyRustBook, ftsCount } from './support/vaultFixtures';

const CHAPTERS = ['ch04-01-what-is-ownership.md', 'ch04-02-references-and-borrowing.md', 'ch08-01-vectors.md', 'ch10-03-lifetime-syntax.md', 'ch15-01-box.md'];

test('a first index adds every file; a second run with nothing changed re-indexes nothing', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, CHAPTERS);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      const first = await vault.indexRoots([notes]);
      assert.equal(first.added, CHAPTERS.length);
      assert.equal(first.indexed, CHAPTERS.length);
      assert.equal(first.unchanged, 0);
      assert.ok(first.chunks > CHAPTERS.length, 'chapters have several sections each');
      assert.equal(first.totalChunks, first.chunks);
      const again = await vault.indexRoots([notes]);
      assert.deepEqual([again.indexed, again.unchanged, again.removed, again.renamed, again.chunks], [0, CHAPTERS.length, 0, 0, 0]);
      assert.equal(again.totalChunks, first.totalChunks);
      assert.equal(vault.integrityCheck(), 'ok');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('an edit re-indexes only that file and keeps the ids of its unchanged chunks', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, CHAPTERS);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      await vault.indexRoots([notes]);
      const before = chunksOf(vault, 'ch08-01-vectors.md');
      const otherBefore = chunksOf(vault, 'ch15-01-box.md');
      assert.equal(vault.searchLexical('zanzibarquokka').length, 0);
      appendFileSync(join(notes, 'ch08-01-vectors.md'), '\n## Appendix on zanzibarquokka\n\nA zanzibarquokka stores vectors in a burrow.\n');
      const s = await vault.indexRoots([notes]);
      assert.deepEqual([s.updated, s.added, s.unchanged, s.removed], [1, 0, CHAPTERS.length - 1, 0]);
      assert.ok(s.chunks >= 1 && s.chunks < before.length, `only the new or changed chunks are written (wrote ${s.chunks} of ${before.length})`);
      const after = chunksOf(vault, 'ch08-01-vectors.md');
      // Every chunk before the appended section is unchanged: same id, same hash.
      const kept = before.filter((b) => after.some((a) => a.id === b.id && a.hash === b.hash));
      assert.ok(kept.length >= before.length - 1, `kept ${kept.length} of ${before.length} chunk ids`);
      assert.deepEqual(chunksOf(vault, 'ch15-01-box.md'), otherBefore);
      const hits = vault.searchLexical('zanzibarquokka');
      assert.equal(hits.length, 1);
      assert.equal(hits[0]!.path, 'ch08-01-vectors.md');
      assert.equal(hits[0]!.heading, 'Appendix on zanzibarquokka'); // an H2 beside the chapter's H2 title
      const lines = readFileSync(join(notes, 'ch08-01-vectors.md'), 'utf8').split('\n');
      assert.equal(lines[hits[0]!.startLine - 1], '## Appendix on zanzibarquokka');
      assert.equal(vault.integrityCheck(), 'ok');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a file touched without a change is recognised by its hash and not re-indexed', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, CHAPTERS);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      await vault.indexRoots([notes]);
      const before = chunksOf(vault, 'ch15-01-box.md');
      const future = new Date(Date.now() + 60_000);
      utimesSync(join(notes, 'ch15-01-box.md'), future, future);
      const s = await vault.indexRoots([notes]);
      assert.deepEqual([s.indexed, s.unchanged, s.chunks], [0, CHAPTERS.length, 0]);
      assert.deepEqual(chunksOf(vault, 'ch15-01-box.md'), before);
      // The new mtime was recorded: the next run does not even read the file.
      const row = vault.db.get<{ m: number }>("SELECT mtime_ms AS m FROM documents WHERE path = 'ch15-01-box.md'");
      assert.equal(Math.round(Number(row?.m)), future.getTime());
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a rename updates the path only: same document, same chunk ids; a deletion removes the note and its FTS rows', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, CHAPTERS);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      await vault.indexRoots([notes]);
      const before = chunksOf(vault, 'ch15-01-box.md');
      mkdirSync(join(notes, 'pointers'));
      renameSync(join(notes, 'ch15-01-box.md'), join(notes, 'pointers', 'box.md'));
      rmSync(join(notes, 'ch10-03-lifetime-syntax.md'));
      const lifetimeHitsBefore = ftsCount(vault, 'elision');
      assert.ok(lifetimeHitsBefore > 0);
      const s = await vault.indexRoots([notes]);
      assert.deepEqual([s.renamed, s.removed, s.added, s.updated], [1, 1, 0, 0]);
      assert.equal(s.chunks, 0, 'a rename writes no chunk');
      const after = chunksOf(vault, 'pointers/box.md');
      assert.deepEqual(after.map((c) => [c.id, c.docId, c.hash]), before.map((c) => [c.id, c.docId, c.hash]));
      assert.equal(chunksOf(vault, 'ch15-01-box.md').length, 0);
      const hit = vault.searchLexical('cons list recursive type', { limit: 1 })[0];
      assert.equal(hit?.path, 'pointers/box.md');
      assert.equal(chunksOf(vault, 'ch10-03-lifetime-syntax.md').length, 0);
      assert.equal(ftsCount(vault, 'elision') < lifetimeHitsBefore, true);
      assert.equal(vault.searchLexical('"lifetime elision rules"').length, 0);
      assert.equal(vault.stats().files, CHAPTERS.length - 1);
      assert.equal(vault.integrityCheck(), 'ok');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a title taken from the file name follows a rename', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    mkdirSync(notes);
    writeFileSync(join(notes, 'grocery-list.md'), 'Buy apples and pears.\n');
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      await vault.indexRoots([notes]);
      assert.equal(vault.searchLexical('grocery')[0]?.title, 'grocery-list');
      renameSync(join(notes, 'grocery-list.md'), join(notes, 'market-errands.md'));
      const s = await vault.indexRoots([notes]);
      assert.equal(s.renamed, 1);
      assert.equal(vault.searchLexical('grocery').length, 0);
      const hit = vault.searchLexical('market errands')[0];
      assert.equal(hit?.path, 'market-errands.md');
      assert.equal(hit?.title, 'market-errands');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('binary, oversized and non-UTF-8 files are reported as skipped; a note that turns binary is removed', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, ['ch15-01-box.md']);
    writeFileSync(join(notes, 'image.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    writeFileSync(join(notes, 'huge.md'), '# Huge\n' + 'lorem ipsum dolor sit amet\n'.repeat(4000));
    writeFileSync(join(notes, 'latin1.md'), Buffer.from('# Caf\xe9\n\nCr\xe8me br\xfbl\xe9e\n', 'latin1'));
    writeFileSync(join(notes, 'utf16.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Übersicht\n\nGrüße aus Köln\n', 'utf16le')]));
    writeFileSync(join(notes, 'later-binary.md'), '# Fine for now\n\nplatypus\n');
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      const s = await vault.indexRoots([notes], { maxFileBytes: 64 * 1024 });
      const reasons = Object.fromEntries(s.skipped.map((x) => [x.path, x.reason]));
      assert.deepEqual(reasons, { 'huge.md': 'too-large', 'image.md': 'binary', 'latin1.md': 'not-utf8' });
      for (const x of s.skipped) assert.ok(x.detail.length > 0, `${x.path} has a detail`);
      assert.equal(s.added, 3);
      assert.equal(vault.searchLexical('grüße köln')[0]?.path, 'utf16.md');
      assert.equal(vault.searchLexical('grusse koln')[0]?.path, 'utf16.md', 'diacritics are folded');
      assert.deepEqual(vault.skippedFiles().map((x) => [x.path, x.reason]), [['huge.md', 'too-large'], ['image.md', 'binary'], ['latin1.md', 'not-utf8']]);
      assert.equal(vault.stats().skipped, 3);

      writeFileSync(join(notes, 'later-binary.md'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0, 1, 2, 3]));
      rmSync(join(notes, 'huge.md'));
      const s2 = await vault.indexRoots([notes], { maxFileBytes: 64 * 1024 });
      assert.equal(s2.removed, 1);
      assert.equal(vault.searchLexical('platypus').length, 0);
      assert.deepEqual(vault.skippedFiles().map((x) => [x.path, x.reason]), [['image.md', 'binary'], ['later-binary.md', 'binary'], ['latin1.md', 'not-utf8']]);
      assert.equal(vault.integrityCheck(), 'ok');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('progress runs scanning -> indexing -> removing -> done; cancellation stops between batches and the next run finishes', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    const files = copyRustBook(notes, undefined, 40);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      const controller = new AbortController();
      const events: IndexProgress[] = [];
      await assert.rejects(
        vault.indexRoots([notes], {
          batchSize: 5,
          signal: controller.signal,
          onProgress: (p) => {
            events.push(p);
            if (p.phase === 'indexing' && p.done >= 10) controller.abort();
          },
        }),
        (err: Error) => err.name === 'AbortError' || /cancel|abort/i.test(err.message),
      );
      const partial = vault.stats().files;
      assert.ok(partial >= 10 && partial < files.length, `stopped part-way (${partial} of ${files.length})`);
      assert.equal(vault.integrityCheck(), 'ok');

      events.length = 0;
      const s = await vault.indexRoots([notes], { batchSize: 5, onProgress: (p) => events.push(p) });
      assert.equal(s.added + s.unchanged, files.length);
      assert.equal(s.unchanged, partial);
      const order = ['scanning', 'indexing', 'removing', 'done'];
      const phases = events.map((e) => order.indexOf(e.phase));
      assert.deepEqual(phases, [...phases].sort((a, b) => a - b), 'phases come in order');
      const indexing = events.filter((e) => e.phase === 'indexing');
      assert.ok(indexing.length >= 2);
      for (let i = 1; i < indexing.length; i++) assert.ok(indexing[i]!.done >= indexing[i - 1]!.done);
      assert.equal(indexing.at(-1)!.done, files.length);
      assert.equal(indexing.at(-1)!.total, files.length);
      assert.deepEqual(events.at(-1), { phase: 'done', done: files.length, total: files.length });
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('live updates: a saved file is searchable at once, renames keep chunk ids, deletions and paths outside the root', async () => {
  const t = tempDir();
  try {
    const notes = join(t.dir, 'notes');
    copyRustBook(notes, ['ch15-01-box.md', 'ch08-01-vectors.md']);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      await vault.indexRoots([notes]);
      writeFileSync(join(notes, 'new-note.md'), '# Wombat habits\n\nThe wombat digs at night.\n');
      assert.equal(vault.updateFile(notes, 'new-note.md'), 'added');
      assert.equal(vault.searchLexical('wombat')[0]?.path, 'new-note.md');
      assert.equal(vault.updateFile(notes, 'new-note.md'), 'unchanged');
      writeFileSync(join(notes, 'new-note.md'), '# Wombat habits\n\nThe wombat digs at dawn.\n');
      assert.equal(vault.updateFile(notes, 'new-note.md'), 'updated');
      assert.equal(vault.searchLexical('dawn')[0]?.path, 'new-note.md');

      const before = chunksOf(vault, 'ch15-01-box.md');
      mkdirSync(join(notes, 'sub'));
      renameSync(join(notes, 'ch15-01-box.md'), join(notes, 'sub', 'box.md'));
      assert.equal(vault.renameFile(notes, 'ch15-01-box.md', 'sub\\box.md'), 'renamed');
      assert.deepEqual(chunksOf(vault, 'sub/box.md').map((c) => c.id), before.map((c) => c.id));

      rmSync(join(notes, 'new-note.md'));
      assert.equal(vault.removeFile(notes, 'new-note.md'), 'removed');
      assert.equal(vault.searchLexical('wombat').length, 0);
      assert.equal(vault.removeFile(notes, 'new-note.md'), 'absent');
      // A vanished file given to updateFile is a deletion.
      rmSync(join(notes, 'ch08-01-vectors.md'));
      assert.equal(vault.updateFile(notes, 'ch08-01-vectors.md'), 'removed');

      for (const bad of ['../outside.md', '/etc/passwd', 'a/../../b.md', '']) assert.throws(() => vault.updateFile(notes, bad), /not a path inside the folder/);
      // The next full run agrees with the live updates.
      const s = await vault.indexRoots([notes]);
      assert.deepEqual([s.indexed, s.removed, s.renamed, s.unchanged], [0, 0, 0, 1]);
      assert.equal(vault.integrityCheck(), 'ok');
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});

test('several roots in one vault, each with its own relative paths', async () => {
  const t = tempDir();
  try {
    const a = join(t.dir, 'a');
    const b = join(t.dir, 'b');
    copyRustBook(a, ['ch15-01-box.md']);
    copyRustBook(b, ['ch15-01-box.md', 'ch08-01-vectors.md']);
    const vault = Vault.open(join(t.dir, 'v.db'));
    try {
      const s = await vault.indexRoots([a, b]);
      assert.equal(s.added, 3);
      const hits = vault.searchLexical('"cons list"', { limit: 50 });
      assert.deepEqual([...new Set(hits.map((h) => h.root))].sort(), [a, b].sort());
      assert.ok(hits.every((h) => h.path === 'ch15-01-box.md'));
      // Indexing one root leaves the other alone.
      rmSync(join(b, 'ch08-01-vectors.md'));
      const s2 = await vault.indexRoots([b]);
      assert.deepEqual([s2.removed, s2.unchanged], [1, 1]);
      assert.equal(vault.stats().files, 2);
    } finally {
      vault.close();
    }
  } finally {
    t.cleanup();
  }
});
