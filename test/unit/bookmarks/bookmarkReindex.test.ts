// Bookmarks are independent of the index: indexing, re-indexing after edits, a note's deletion and a
// full re-index from scratch (every document and chunk dropped) leave them exactly as they were.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { Vault } from '../../../src/vault/vault';
import { rustBook, tempDir } from '../../helpers/paths';

test('bookmarks survive indexing, re-indexing, a deleted note and an index rebuilt from scratch', async () => {
  const t = tempDir('cv-bm-reindex-');
  try {
    const root = join(t.dir, 'notes');
    for (const f of ['ch04-01-what-is-ownership.md', 'ch04-02-references-and-borrowing.md', 'ch04-03-slices.md']) cpSync(join(rustBook, f), join(root, f));
    const dbFile = join(t.dir, 'vault.db');
    let vault = Vault.open(dbFile);
    const first = await vault.indexRoots([root]);
    assert.equal(first.added, 3);
    let store = new BookmarkStore(vault.db);
    const text = readFileSync(join(root, 'ch04-03-slices.md'), 'utf8');
    const folder = store.createFolder('Ownership');
    store.addSelection({ rootPath: root, path: 'ch04-03-slices.md', startLine: 5, endLine: 7, fileText: text }, { parentId: folder.id });
    store.addFile({ rootPath: root, path: 'ch04-01-what-is-ownership.md' }, { parentId: folder.id });
    store.addAnswer({ question: 'What is a slice?', answer: 'A reference to part of a collection [1].', citations: [{ n: 1, path: 'ch04-03-slices.md', startLine: 5, endLine: 7 }] });
    const before = store.tree();

    // An edited note and a deleted note, re-indexed.
    writeFileSync(join(root, 'ch04-03-slices.md'), '# New top\n\n' + text);
    rmSync(join(root, 'ch04-01-what-is-ownership.md'));
    const second = await vault.indexRoots([root]);
    assert.equal(second.updated, 1);
    assert.equal(second.removed, 1);
    assert.deepEqual(store.tree(), before);

    // The whole index dropped and rebuilt (what clearing the index does), across a reopen.
    vault.db.transaction(() => {
      vault.db.run('DELETE FROM documents');
      vault.db.run('DELETE FROM roots');
    });
    vault.close();
    vault = Vault.open(dbFile);
    await vault.indexRoots([root]);
    store = new BookmarkStore(vault.db);
    assert.deepEqual(store.tree(), before);
    // And the bookmarks still find their text in the edited note, and say the deleted one is gone.
    const sel = before[0]!.children[0]!;
    assert.deepEqual([store.resolve(sel.id, readFileSync(join(root, 'ch04-03-slices.md'), 'utf8')).startLine], [7]);
    assert.equal(store.resolve(before[0]!.children[1]!.id, null).status, 'lost');
    vault.close();
  } finally {
    t.cleanup();
  }
});
