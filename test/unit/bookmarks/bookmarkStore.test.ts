// BookmarkStore over a real SQLite file: adding, folders, ordering, renaming, deleting, resolving
// after real edits, and what survives closing and reopening the database.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { splitLines } from '../../../src/vault/bookmarks/anchor';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { BookmarkError, type BookmarkNode } from '../../../src/vault/bookmarks/types';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { rustBook, tempDir } from '../../helpers/paths';

const ROOT = '/home/me/notes';
const chapter = readFileSync(join(rustBook, 'ch04-02-references-and-borrowing.md'), 'utf8');

function withStore(fn: (store: BookmarkStore, db: SqliteDatabase, reopen: () => BookmarkStore) => void): void {
  const t = tempDir('cv-bm-');
  const file = join(t.dir, 'vault.db');
  let db = SqliteDatabase.open(file);
  migrate(db);
  const reopen = (): BookmarkStore => {
    db.close();
    db = SqliteDatabase.open(file, { mustExist: true });
    migrate(db);
    return new BookmarkStore(db);
  };
  try {
    fn(new BookmarkStore(db), db, reopen);
  } finally {
    db.close();
    t.cleanup();
  }
}

/** The tree as nested labels, for readable assertions. */
function shape(nodes: BookmarkNode[]): unknown[] {
  return nodes.map((n) => (n.kind === 'folder' ? { [n.label]: shape(n.children) } : n.label));
}

test('adds file, selection, search-result and answer bookmarks with their data', () => {
  withStore((store) => {
    const f = store.addFile({ rootPath: ROOT, path: 'rust/ch04-02.md' });
    assert.equal(f.kind, 'file');
    assert.equal(f.label, 'ch04-02.md');
    assert.equal(f.status, 'ok');

    const s = store.addSelection({ rootPath: ROOT, path: 'rust/ch04-02.md', startLine: 3, endLine: 5, fileText: chapter });
    assert.equal(s.kind, 'selection');
    assert.equal(s.anchorText, splitLines(chapter).slice(2, 5).join('\n'));
    assert.equal(s.anchorBefore, splitLines(chapter)[1]);
    assert.equal(s.anchorAfter, splitLines(chapter)[5]);
    assert.equal(s.label, splitLines(chapter)[2]!.trim().slice(0, 79) + (splitLines(chapter)[2]!.trim().length > 80 ? '…' : ''));

    const r = store.addSearchResult({ rootPath: ROOT, path: 'rust/ch04-02.md', startLine: 1, endLine: 2, fileText: chapter, query: 'borrowing', label: 'Borrowing hit' });
    assert.equal(r.kind, 'search');
    assert.deepEqual(r.payload, { query: 'borrowing' });

    const a = store.addAnswer({ question: 'What is a reference?', answer: 'A reference is like a pointer [1].', citations: [{ n: 1, path: 'rust/ch04-02.md', startLine: 3, endLine: 5 }] });
    assert.equal(a.kind, 'answer');
    assert.equal(a.label, 'What is a reference?');
    assert.equal(a.rootPath, null);
    assert.deepEqual(a.payload?.citations, [{ n: 1, path: 'rust/ch04-02.md', startLine: 3, endLine: 5 }]);

    assert.deepEqual(store.children(null).map((b) => b.id), [f.id, s.id, r.id, a.id]);
  });
});

test('nested folders: create, move into and out of, and list as a tree', () => {
  withStore((store) => {
    const rust = store.createFolder('Rust');
    const own = store.createFolder('Ownership', { parentId: rust.id });
    const a = store.addFile({ rootPath: ROOT, path: 'a.md' });
    const b = store.addFile({ rootPath: ROOT, path: 'b.md' });
    const c = store.addFile({ rootPath: ROOT, path: 'c.md' }, { parentId: own.id });
    store.move(a.id, { parentId: own.id, index: 0 });
    store.move(b.id, { parentId: rust.id });
    assert.deepEqual(shape(store.tree()), [{ Rust: [{ Ownership: ['a.md', 'c.md'] }, 'b.md'] }]);
    store.move(c.id, { parentId: null, index: 0 });
    store.move(own.id, { parentId: null });
    assert.deepEqual(shape(store.tree()), ['c.md', { Rust: ['b.md'] }, { Ownership: ['a.md'] }]);
    assert.equal(store.get(a.id)?.parentId, own.id);
  });
});

test('a folder cannot be moved into itself or its descendants; only folders hold bookmarks', () => {
  withStore((store) => {
    const top = store.createFolder('Top');
    const mid = store.createFolder('Mid', { parentId: top.id });
    const leaf = store.createFolder('Leaf', { parentId: mid.id });
    const file = store.addFile({ rootPath: ROOT, path: 'x.md' });
    const before = shape(store.tree());
    assert.throws(() => store.move(top.id, { parentId: top.id }), /cannot be moved into itself/);
    assert.throws(() => store.move(top.id, { parentId: leaf.id }), /cannot be moved into itself/);
    assert.throws(() => store.move(mid.id, { parentId: file.id }), /"x.md" is not a folder/);
    assert.throws(() => store.addFile({ rootPath: ROOT, path: 'y.md' }, { parentId: 9999 }), /Folder 9999 no longer exists/);
    assert.deepEqual(shape(store.tree()), before);
  });
});

test('reorder: insert at an index, move up and down, and stay put at the ends', () => {
  withStore((store) => {
    const ids = ['one', 'two', 'three', 'four'].map((p) => store.addFile({ rootPath: ROOT, path: `${p}.md`, label: p }).id);
    const labels = (): string[] => store.children(null).map((b) => b.label);
    store.move(ids[3]!, { index: 0 });
    assert.deepEqual(labels(), ['four', 'one', 'two', 'three']);
    store.move(ids[3]!, { index: 2 });
    assert.deepEqual(labels(), ['one', 'two', 'four', 'three']);
    store.moveBy(ids[3]!, -1);
    assert.deepEqual(labels(), ['one', 'four', 'two', 'three']);
    store.moveBy(ids[3]!, 1);
    store.moveBy(ids[3]!, 1);
    assert.deepEqual(labels(), ['one', 'two', 'three', 'four']);
    store.moveBy(ids[3]!, 1);
    store.moveBy(ids[0]!, -1);
    assert.deepEqual(labels(), ['one', 'two', 'three', 'four']);
    const positions = store.children(null).map((b) => b.position);
    assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
  });
});

test('positions between neighbours: many inserts into the same gap keep a strict order (renumbering when needed)', () => {
  withStore((store) => {
    store.addFile({ rootPath: ROOT, path: 'first.md', label: 'first' });
    store.addFile({ rootPath: ROOT, path: 'last.md', label: 'last' });
    // Always between 'first' and the previously inserted one: each midpoint halves the gap.
    for (let k = 0; k < 80; k++) store.addFile({ rootPath: ROOT, path: `n${k}.md`, label: `n${k}` }, { index: 1 });
    const labels = store.children(null).map((b) => b.label);
    assert.equal(labels.length, 82);
    assert.equal(labels[0], 'first');
    assert.equal(labels[81], 'last');
    assert.deepEqual(labels.slice(1, 81), Array.from({ length: 80 }, (_, k) => `n${79 - k}`));
    const positions = store.children(null).map((b) => b.position);
    for (let i = 1; i < positions.length; i++) assert.ok(positions[i]! > positions[i - 1]!, `positions ${i - 1} and ${i} not increasing`);
  });
});

test('rename and delete (a folder takes its contents with it)', () => {
  withStore((store) => {
    const f = store.createFolder('Old name');
    const sub = store.createFolder('Sub', { parentId: f.id });
    store.addFile({ rootPath: ROOT, path: 'a.md' }, { parentId: f.id });
    store.addFile({ rootPath: ROOT, path: 'b.md' }, { parentId: sub.id });
    const keep = store.addFile({ rootPath: ROOT, path: 'keep.md' });
    assert.equal(store.rename(f.id, '  New\nname  ').label, 'New name');
    assert.throws(() => store.rename(f.id, ' \n\t '), (e: unknown) => e instanceof BookmarkError && /cannot be empty/.test(e.message));
    assert.equal(store.get(f.id)?.label, 'New name');
    assert.equal(store.delete(f.id), 4);
    assert.deepEqual(store.tree().map((n) => n.id), [keep.id]);
    assert.throws(() => store.delete(f.id), /no longer exists/);
    assert.throws(() => store.rename(12345, 'x'), /Bookmark 12345 no longer exists/);
  });
});

test('bad input is refused with a specific error and adds nothing', () => {
  withStore((store) => {
    assert.throws(() => store.addFile({ rootPath: 'relative/root', path: 'a.md' }), /not an absolute path/);
    assert.throws(() => store.addFile({ rootPath: ROOT, path: '../outside.md' }), /'\.\.'/);
    assert.throws(() => store.addFile({ rootPath: ROOT, path: '/etc/passwd' }), /not a path relative/);
    assert.throws(() => store.addFile({ rootPath: ROOT, path: 'dir\\win.md' }), /forward slashes/);
    assert.throws(() => store.addSelection({ rootPath: ROOT, path: 'a.md', startLine: 5, endLine: 900, fileText: chapter }), /are not in the file/);
    assert.throws(() => store.addAnswer({ question: 'q', answer: '   ' }), /empty answer/);
    assert.throws(() => store.createFolder(''), /cannot be empty/);
    assert.deepEqual(store.tree(), []);
  });
});

test('resolve after real edits: moved lines are remembered, across a reopen', () => {
  withStore((store, _db, reopen) => {
    const lines = splitLines(chapter);
    const target = lines.findIndex((l) => l.startsWith('`String`. These ampersands represent')) + 1;
    assert.ok(target > 0);
    const b = store.addSelection({ rootPath: ROOT, path: 'ch04-02.md', startLine: target, endLine: target + 1, fileText: chapter });
    const edited = [...lines.slice(0, 2), 'An inserted line.', 'Another one.', 'And a third.', ...lines.slice(2)].join('\n');
    const r = store.resolve(b.id, edited);
    assert.equal(r.status, 'moved');
    assert.equal(r.startLine, target + 3);
    assert.equal(r.endLine, target + 4);

    const again = reopen();
    const saved = again.require(b.id);
    assert.equal(saved.startLine, target + 3);
    assert.equal(saved.status, 'moved');
    // Anchored afresh at the new place: the same text resolves 'ok' there now.
    assert.deepEqual({ ...again.resolve(b.id, edited), bookmark: undefined }, { startLine: target + 3, endLine: target + 4, status: 'ok', bookmark: undefined });
  });
});

test('lost text keeps its anchor, so the bookmark is found again when the text comes back', () => {
  withStore((store) => {
    const lines = splitLines(chapter);
    const b = store.addSelection({ rootPath: ROOT, path: 'ch04-02.md', startLine: 3, endLine: 4, fileText: chapter });
    const without = [...lines.slice(0, 2), ...lines.slice(4)].join('\n');
    const lost = store.resolve(b.id, without);
    assert.equal(lost.status, 'lost');
    assert.equal(lost.bookmark.status, 'lost');
    assert.equal(lost.bookmark.anchorText, b.anchorText);
    assert.equal(store.resolve(b.id, null).status, 'lost');
    const back = store.resolve(b.id, chapter);
    assert.deepEqual([back.status, back.startLine, back.endLine], ['ok', 3, 4]);
    assert.equal(store.require(b.id).status, 'ok');
  });
});

test('file bookmarks resolve ok while the file exists; folders and answers cannot be resolved', () => {
  withStore((store) => {
    const f = store.addFile({ rootPath: ROOT, path: 'a.md' });
    assert.equal(store.resolve(f.id, 'text').status, 'ok');
    assert.equal(store.resolve(f.id, null).status, 'lost');
    assert.equal(store.require(f.id).status, 'lost');
    const folder = store.createFolder('F');
    assert.throws(() => store.resolve(folder.id, 'x'), /a folder, not a place in a file/);
    const ans = store.addAnswer({ question: 'q', answer: 'a' });
    assert.throws(() => store.resolve(ans.id, 'x'), /an answer, not a place in a file/);
  });
});

test('renamed files and folders carry their bookmarks along', () => {
  withStore((store) => {
    const a = store.addFile({ rootPath: ROOT, path: 'notes/a.md' });
    const b = store.addSelection({ rootPath: ROOT, path: 'notes/sub/b.md', startLine: 1, endLine: 1, fileText: chapter });
    const other = store.addFile({ rootPath: '/elsewhere', path: 'notes/a.md' });
    const similar = store.addFile({ rootPath: ROOT, path: 'notes-old/c.md' });
    assert.equal(store.renamePath(ROOT, 'notes/a.md', 'notes/renamed.md'), 1);
    assert.equal(store.require(a.id).path, 'notes/renamed.md');
    assert.equal(store.renamePath(ROOT, 'notes', 'archive'), 2);
    assert.equal(store.require(a.id).path, 'archive/renamed.md');
    assert.equal(store.require(b.id).path, 'archive/sub/b.md');
    assert.equal(store.require(other.id).path, 'notes/a.md');
    assert.equal(store.require(similar.id).path, 'notes-old/c.md');
    assert.deepEqual(store.forFile({ rootPath: ROOT, path: 'archive/sub/b.md' }).map((x) => x.id), [b.id]);
  });
});

test('everything survives closing and reopening the database', () => {
  withStore((store, _db, reopen) => {
    const f = store.createFolder('Keep');
    store.addSelection({ rootPath: ROOT, path: 'x.md', startLine: 2, endLine: 3, fileText: chapter, label: 'sel' }, { parentId: f.id });
    store.addAnswer({ question: 'Why?', answer: 'Because <script>alert(1)</script>' });
    const before = store.tree();
    const after = reopen().tree();
    assert.deepEqual(after, before);
    assert.equal(after[1]!.payload?.answer, 'Because <script>alert(1)</script>');
  });
});

test('resolveFile updates every bookmark of one file at once, and only those', () => {
  withStore((store) => {
    const lines = splitLines(chapter);
    const a = store.addSelection({ rootPath: ROOT, path: 'c.md', startLine: 3, endLine: 3, fileText: chapter });
    const b = store.addSelection({ rootPath: ROOT, path: 'c.md', startLine: 10, endLine: 12, fileText: chapter });
    const f = store.addFile({ rootPath: ROOT, path: 'c.md' });
    const other = store.addSelection({ rootPath: ROOT, path: 'other.md', startLine: 3, endLine: 3, fileText: chapter });
    const edited = ['# Added title', '', ...lines].join('\n');
    const results = store.resolveFile({ rootPath: ROOT, path: 'c.md' }, edited);
    assert.deepEqual(results.map((r) => [r.bookmark.id, r.status, r.startLine]), [[a.id, 'moved', 5], [b.id, 'moved', 12], [f.id, 'ok', 1]]);
    assert.equal(store.require(other.id).startLine, 3);
    assert.deepEqual(store.resolveFile({ rootPath: ROOT, path: 'c.md' }, null).map((r) => r.status), ['lost', 'lost', 'lost']);
  });
});

test('moveMany places a multi-selection before a sibling or into a folder, keeping its order, atomically', () => {
  withStore((store) => {
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((p) => store.addFile({ rootPath: ROOT, path: `${p}.md`, label: p }));
    const labels = (parent: number | null): string[] => store.children(parent).map((x) => x.label);
    store.moveMany([a!.id, b!.id], { parentId: null, beforeId: d!.id });
    assert.deepEqual(labels(null), ['c', 'a', 'b', 'd']);
    store.moveMany([d!.id, c!.id], { parentId: null, index: 0 });
    assert.deepEqual(labels(null), ['d', 'c', 'a', 'b']);
    const folder = store.createFolder('F');
    store.moveMany([b!.id, d!.id], { parentId: folder.id });
    assert.deepEqual(labels(folder.id), ['b', 'd']);
    // A bad one in the batch: nothing moves.
    assert.throws(() => store.moveMany([a!.id, 999], { parentId: folder.id }), /Bookmark 999 no longer exists/);
    assert.deepEqual(labels(null), ['c', 'a', 'F']);
    assert.throws(() => store.move(c!.id, { parentId: folder.id, beforeId: a!.id }), /not in that folder/);
  });
});

test('deleteMany removes a multi-selection atomically, folders with their contents', () => {
  withStore((store) => {
    const f = store.createFolder('F');
    const inF = store.addFile({ rootPath: ROOT, path: 'in.md' }, { parentId: f.id });
    const a = store.addFile({ rootPath: ROOT, path: 'a.md' });
    const keep = store.addFile({ rootPath: ROOT, path: 'keep.md' });
    assert.throws(() => store.deleteMany([a.id, 4242]), /4242 no longer exists/);
    assert.equal(store.tree().length, 3);
    assert.equal(store.deleteMany([f.id, inF.id, a.id]), 3);
    assert.deepEqual(store.tree().map((n) => n.id), [keep.id]);
  });
});
