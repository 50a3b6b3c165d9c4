import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMigrations, migrate, schemaVersion } from '../../../src/vault/db/migrations';
import { SqliteDatabase, SqliteError } from '../../../src/vault/db/sqlite';
import { tempDir } from '../../helpers/paths';

test('migrations apply from an empty file, are recorded, and are idempotent', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'vault.db');
    const all = loadMigrations();
    let db = SqliteDatabase.open(file);
    assert.deepEqual(migrate(db), all.map((m) => m.version));
    assert.equal(schemaVersion(db), all.length);
    db.close();
    db = SqliteDatabase.open(file);
    assert.deepEqual(migrate(db), []);
    const tables = db.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type IN ('table') ORDER BY name").map((r) => r.name);
    for (const t of ['documents', 'chunks', 'chunks_fts', 'embeddings', 'bookmarks', 'settings', 'conversations', 'messages', 'models', 'schema_migrations']) assert.ok(tables.includes(t), `missing table ${t}`);
    assert.equal(db.get<{ integrity_check: string }>('PRAGMA integrity_check')?.integrity_check, 'ok');
    db.close();
  } finally {
    t.cleanup();
  }
});

test('upgrades from every earlier schema version to the newest', () => {
  const all = loadMigrations();
  for (let from = 0; from < all.length; from++) {
    const t = tempDir();
    try {
      const db = SqliteDatabase.open(join(t.dir, 'v.db'));
      migrate(db, all, from);
      assert.equal(schemaVersion(db), from);
      const applied = migrate(db, all);
      assert.deepEqual(applied, all.slice(from).map((m) => m.version));
      assert.equal(schemaVersion(db), all.length);
      db.close();
    } finally {
      t.cleanup();
    }
  }
});

test('a failing migration rolls back whole and records nothing', () => {
  const t = tempDir();
  try {
    const db = SqliteDatabase.open(join(t.dir, 'v.db'));
    const broken = [...loadMigrations(), { version: loadMigrations().length + 1, name: 'broken', sql: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);' }];
    assert.throws(() => migrate(db, broken), /no such table/);
    assert.equal(schemaVersion(db), broken.length - 1);
    assert.equal(db.get("SELECT 1 AS x FROM sqlite_schema WHERE name = 'half_done'"), undefined);
    db.close();
  } finally {
    t.cleanup();
  }
});

test('a file that is not a database is refused with a clear error', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'notes.db');
    writeFileSync(file, 'this is not sqlite, just text that happens to be long enough to fill a header page '.repeat(20));
    assert.throws(() => SqliteDatabase.open(file), (err: unknown) => err instanceof SqliteError && err.code === 'corrupt' && /corrupt/.test(err.message));
  } finally {
    t.cleanup();
  }
});

test('a newer schema than this build knows is refused', () => {
  const t = tempDir();
  try {
    const db = SqliteDatabase.open(join(t.dir, 'v.db'));
    migrate(db);
    db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)', ['future']);
    assert.throws(() => migrate(db), /newer Codex Vault/);
    db.close();
  } finally {
    t.cleanup();
  }
});

test('a schema recorded by a build with other migrations is refused with a clear error, touching nothing', () => {
  const t = tempDir();
  try {
    const db = SqliteDatabase.open(join(t.dir, 'v.db'));
    const ms = loadMigrations();
    migrate(db, ms, 3);
    // A development build numbered another migration 4 and applied it.
    db.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (4, ?, 0)', ['another_step']);
    assert.throws(() => migrate(db), (e: unknown) => e instanceof Error && /different build of Codex Vault/.test(e.message) && /"another_step"/.test(e.message) && new RegExp(`"${ms[3]!.name}"`).test(e.message));
    assert.equal(schemaVersion(db), 4, 'nothing was applied');
    db.close();
  } finally {
    t.cleanup();
  }
});
