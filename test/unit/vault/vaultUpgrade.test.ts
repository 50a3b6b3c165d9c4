// A vault written under schema 0001 (FTS5 with prefix indexes) opens under the current schema
// with its notes kept and searchable: 0002 rebuilds the full-text index from the chunks table.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMigrations, migrate, schemaVersion } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { VaultStore } from '../../../src/vault/store/vaultStore';
import { Vault } from '../../../src/vault/vault';
import { tempDir } from '../../helpers/paths';

test('notes indexed under schema 0001 stay searchable after the upgrade', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'old.db');
    const db = SqliteDatabase.open(file);
    migrate(db, loadMigrations(), 1);
    const store = new VaultStore(db);
    db.transaction(() => {
      const root = store.ensureRoot('/notes');
      store.insertDocument(root, {
        path: 'pets/wombat.md', size: 10, mtimeMs: 1, hash: 'h', title: 'Wombat', tags: ['animals'], aliases: [], links: [], lineCount: 3,
        chunks: [{ ord: 0, startLine: 1, endLine: 3, hash: 'c', title: 'Wombat', headings: 'Wombat', body: '# Wombat\n\nThe wombat digs burrows.', tags: 'animals' }],
      });
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
