// Vaults written under earlier schemas open under the current one with their notes kept and
// searchable. The fixtures are real vault files in the old shapes: the old migrations applied,
// then rows written with the columns those schemas had (the old FTS triggers index them).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { ConversationStore } from '../../../src/vault/conversations/conversationStore';
import { loadMigrations, migrate, schemaVersion, type MigrationProgress } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { chunkTitle } from '../../../src/vault/index/prepareFile';
import { parseNote } from '../../../src/vault/markdown/parseNote';
import { Vault } from '../../../src/vault/vault';
import { rustBook, tempDir } from '../../helpers/paths';
import { extractCjkPages } from './support/cjkPages';

/** Writes a note the way schemas 0001-0003 stored it: no fts_ columns, the text as it is. */
function insertOldNote(db: SqliteDatabase, rootId: number, path: string, text: string): number {
  const note = parseNote(text, path.split('/').pop()!);
  const docId = db.run(
    'INSERT INTO documents (root_id, path, size, mtime_ms, hash, title, tags, aliases, links, line_count, indexed_at) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, 1)',
    [rootId, path, text.length, `h-${path}`, note.title, JSON.stringify(note.tags), JSON.stringify(note.aliases), JSON.stringify(note.links), note.lineCount],
  ).lastInsertRowid;
  for (const c of note.chunks) {
    db.run('INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      docId, c.ord, c.startLine, c.endLine, `c-${path}-${c.ord}`, chunkTitle(note), c.headingPath.join(' > '), c.text, note.tags.join(' '),
    ]);
  }
  return note.chunks.length;
}

test('notes indexed under schema 0001 stay searchable after the upgrade', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'old.db');
    const db = SqliteDatabase.open(file);
    migrate(db, loadMigrations(), 1);
    db.transaction(() => {
      const root = db.run("INSERT INTO roots (path, name) VALUES ('/notes', 'notes')").lastInsertRowid;
      insertOldNote(db, root, 'pets/wombat.md', '---\ntags: [animals]\n---\n# Wombat\n\nThe wombat digs burrows.\n');
    });
    db.close();

    const v = Vault.open(file);
    try {
      assert.equal(schemaVersion(v.db), loadMigrations().length);
      const hits = v.searchLexical('burrows', { tag: 'animals' });
      assert.equal(hits.length, 1);
      assert.equal(hits[0]!.path, 'pets/wombat.md');
      assert.match(hits[0]!.snippet, /«burrows»/);
      assert.equal(v.searchLexical('wom', { prefixLast: true })[0]?.path, 'pets/wombat.md');
      assert.equal(v.integrityCheck(), 'ok');
      // Moving a chunk's lines does not touch its FTS row; changing its text does.
      v.db.run('UPDATE chunks SET start_line = 2, end_line = 4');
      assert.equal(v.integrityCheck(), 'ok');
      v.db.run("UPDATE chunks SET body = 'The wombat sleeps.'");
      assert.equal(v.searchLexical('burrows').length, 0);
      assert.equal(v.searchLexical('sleeps').length, 1);
      assert.equal(v.integrityCheck(), 'ok');
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a vault of schema 0003 (before segmented text) is re-indexed once, with progress, keeping bookmarks and conversations', () => {
  const t = tempDir();
  try {
    const langs = extractCjkPages(t.dir, ['zh/common/tar.md', 'ja/common/tar.md']);
    const zhTar = readFileSync(join(langs['zh']!, 'common', 'tar.md'), 'utf8');
    const jaTar = readFileSync(join(langs['ja']!, 'common', 'tar.md'), 'utf8');
    const ownership = readFileSync(join(rustBook, 'ch04-01-what-is-ownership.md'), 'utf8');
    const file = join(t.dir, 'vault.db');
    const db = SqliteDatabase.open(file);
    migrate(db, loadMigrations(), 3);
    let chunks = 0;
    let bookmarkId = 0;
    let conversationId = 0;
    db.transaction(() => {
      const root = db.run("INSERT INTO roots (path, name) VALUES ('/notes', 'notes')").lastInsertRowid;
      chunks += insertOldNote(db, root, 'zh/tar.md', zhTar);
      chunks += insertOldNote(db, root, 'ja/tar.md', jaTar);
      chunks += insertOldNote(db, root, 'book/ch04-01-what-is-ownership.md', ownership);
      bookmarkId = new BookmarkStore(db).addFile({ rootPath: '/notes', path: 'zh/tar.md', label: '归档' }).id;
      const conv = new ConversationStore(db);
      conversationId = conv.create('tar?').id;
      conv.append(conversationId, { role: 'user', content: '如何压缩文件？' });
    });
    // Under the old index a word inside a Chinese sentence cannot be found.
    assert.equal(db.get<{ n: number }>(`SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH '"压缩"'`)?.n, 0);
    db.close();

    const seen: MigrationProgress[] = [];
    const v = Vault.open(file, { onUpgradeProgress: (p) => seen.push(p) });
    try {
      assert.equal(schemaVersion(v.db), loadMigrations().length);
      assert.ok(seen.length >= 2, 'progress is reported');
      assert.ok(seen.every((p) => p.version === 4 && p.total === chunks && p.done <= p.total));
      assert.equal(seen[0]!.done, 0);
      assert.equal(seen.at(-1)!.done, chunks);
      // Words inside sentences, in Chinese and Japanese, and the file name are now found.
      const zh = v.searchLexical('压缩 文件');
      assert.equal(zh[0]?.path, 'zh/tar.md');
      assert.match(zh[0]!.snippet, /«压缩»|«文件»/);
      assert.ok(!zh[0]!.snippet.includes('\u200b'), 'no separator shows in a snippet');
      assert.equal(v.searchLexical('圧縮')[0]?.path, 'ja/tar.md');
      assert.equal(v.searchLexical('ch04')[0]?.path, 'book/ch04-01-what-is-ownership.md');
      assert.equal(v.integrityCheck(), 'ok');
      // Bookmarks and conversations are kept.
      assert.equal(new BookmarkStore(v.db).get(bookmarkId)?.label, '归档');
      assert.deepEqual(new ConversationStore(v.db).messages(conversationId).map((m) => m.content), ['如何压缩文件？']);
    } finally {
      v.close();
    }
    // Once: opening again upgrades nothing.
    const again: MigrationProgress[] = [];
    const v2 = Vault.open(file, { onUpgradeProgress: (p) => again.push(p) });
    try {
      assert.deepEqual(again, []);
      assert.equal(v2.searchLexical('压缩')[0]?.path, 'zh/tar.md');
    } finally {
      v2.close();
    }
  } finally {
    t.cleanup();
  }
});

test('a new vault reports no upgrade: there is nothing to re-index, so no "upgrading" notice', () => {
  const t = tempDir('cv-upgrade-new-');
  try {
    const seen: MigrationProgress[] = [];
    const v = Vault.open(join(t.dir, 'vault.sqlite'), { onUpgradeProgress: (p) => seen.push(p) });
    try {
      assert.equal(schemaVersion(v.db), loadMigrations().length);
      assert.deepEqual(seen, []);
    } finally {
      v.close();
    }
  } finally {
    t.cleanup();
  }
});
