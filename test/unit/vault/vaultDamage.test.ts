// A damaged vault is never read without a word and never written; only `index` creates a vault;
// `doctor` says what is damaged and what a rebuild keeps, and `--salvage` carries bookmarks and
// conversations into a fresh vault that `index` then fills. The built CLI as a real subprocess,
// on a real vault whose pages are overwritten with random bytes (as the hostile run did).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { ConversationStore } from '../../../src/vault/conversations/conversationStore';
import { openCheck } from '../../../src/vault/db/health';
import { openDatabase } from '../../../src/vault/db/openDatabase';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { migrate } from '../../../src/vault/db/migrations';
import { REQUIRED_TABLES } from '../../../src/vault/db/health';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';
import { overwritePages, pagesOf, randomPages } from '../../helpers/damage';
import { copyRustBook } from './support/vaultFixtures';

const t = tempDir();
const notes = join(t.dir, 'notes');
const healthy = join(t.dir, 'healthy.vault');
const cli = join(repoRoot, 'dist', 'cli.js');
const env = { ...process.env, CODEX_VAULT_HOME: join(t.dir, 'home') };

function run(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: t.dir, encoding: 'utf8', timeout: 120_000, env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * The pages of the schema and of the tables only the vault holds: left alone, so that the vault
 * can be opened and the salvage has rows to keep (a damaged schema makes the whole file unreadable).
 */
const spared = (file: string): Set<number> => new Set(pagesOf(file, ['sqlite_schema', 'bookmarks', 'bookmarks_parent', 'conversations', 'messages', 'messages_conversation', 'settings', 'models', 'schema_migrations']));

/** Overwrites `count` random pages (never page 1 nor `spare`) with random bytes; returns them. */
function damage(file: string, count: number, seed: number, spare: Set<number>): number[] {
  const hit = randomPages(file, count, seed, spare);
  overwritePages(file, hit, { seed });
  return hit;
}

before(() => {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  copyRustBook(notes, undefined, 60);
  assert.equal(run('index', notes, '--db', healthy, '-q').code, 0);
  // What only the vault holds: a bookmark folder with a bookmark in it, a conversation.
  const v = Vault.open(healthy);
  try {
    const bookmarks = new BookmarkStore(v.db);
    const folder = bookmarks.createFolder('Reading');
    bookmarks.addFile({ rootPath: notes, path: 'ch04-01-what-is-ownership.md', label: 'Ownership' }, { parentId: folder.id });
    const conversations = new ConversationStore(v.db);
    const c = conversations.create('Borrowing');
    conversations.append(c.id, { role: 'user', content: 'What is borrowing?' });
    conversations.append(c.id, { role: 'assistant', content: 'Using a value without owning it [1].' });
  } finally {
    v.close();
  }
});
after(() => t.cleanup());

test('the tables the open-time check requires are created by the migrations', () => {
  const mem = SqliteDatabase.open(':memory:');
  try {
    migrate(mem);
    const tables = new Set(mem.all<{ name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").map((r) => String(r.name)));
    assert.deepEqual(REQUIRED_TABLES.filter((x) => !tables.has(x)), []);
  } finally {
    mem.close();
  }
});

test('ask and embed-index on a mistyped path create nothing: only index creates a vault', () => {
  const typo = join(t.dir, 'healthy.valut');
  const a = run('ask', 'What is ownership?', '--db', typo, '--model', tinyModel);
  assert.equal(a.code, 1);
  assert.match(a.err, /There is no vault at .*healthy\.valut.*Only `codex-vault index/);
  assert.equal(a.out, '');
  const e = run('embed-index', '--db', typo, '--embedding-model', tinyModel);
  assert.equal(e.code, 1);
  assert.match(e.err, /There is no vault at/);
  assert.ok(!existsSync(typo), 'no file was created');
});

test('ask reads a healthy vault without writing to it', () => {
  const before = readFileSync(healthy);
  const a = run('ask', 'What does the owner do when it goes out of scope?', '--db', healthy, '--model', tinyModel, '--max-tokens', '8', '--context-size', '1024', '--json');
  assert.equal(a.code, 0, a.err);
  assert.ok(readFileSync(healthy).equals(before), 'the vault file is byte for byte the same');
  assert.ok(!existsSync(`${healthy}-journal`) && !existsSync(`${healthy}.owner`));
});

test('a vault with 40 pages overwritten: search and ask warn and exit 1 without writing, index refuses, doctor explains, salvage keeps bookmarks and conversations', () => {
  const damaged = join(t.dir, 'damaged.vault');
  const bytes = readFileSync(healthy);
  writeFileSync(damaged, bytes);
  const hit = damage(damaged, 40, 7, spared(damaged));
  const o = openDatabase(damaged, { readOnly: true });
  try {
    const integrity = o.db.all<{ integrity_check: string }>('PRAGMA integrity_check(5)').map((r) => r.integrity_check).join();
    assert.notEqual(integrity, 'ok', 'SQLite itself finds the damage');
    assert.equal(o.health.ok, false, `the open-time check finds it too (pages ${hit.join(', ')})`);
  } finally {
    o.close();
  }
  const after = readFileSync(damaged);

  const s = run('search', 'ownership borrowing', '--db', damaged, '--json');
  assert.equal(s.code, 1, 'a script notices');
  assert.match(s.err, /^warning: the vault .*damaged.*codex-vault doctor --db /m);
  const a = run('ask', 'What is ownership?', '--db', damaged, '--model', tinyModel, '--max-tokens', '8', '--context-size', '1024');
  assert.equal(a.code, 1);
  assert.match(a.err, /damaged/);
  const i = run('index', notes, '--db', damaged);
  assert.equal(i.code, 1);
  assert.match(i.err, /is damaged: .*does not write to it.*codex-vault doctor --db/);
  assert.ok(readFileSync(damaged).equals(after), 'nothing was written to the damaged vault');

  const d = run('doctor', '--db', damaged);
  assert.equal(d.code, 1);
  assert.match(d.out, /DAMAGED:/);
  assert.match(d.out, /A rebuild keeps 2 bookmarks, 1 conversation \(2 messages\)/);
  assert.match(d.out, new RegExp(`codex-vault index ${notes.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} --db `));
  const j = JSON.parse(run('doctor', '--db', damaged, '--json').out) as { check: { ok: boolean; affected: string[]; indexOnly: boolean } };
  assert.equal(j.check.ok, false);
  assert.ok(j.check.affected.length > 0, `the damaged tables are named: ${JSON.stringify(j.check)}`);
  assert.equal(j.check.indexOnly, true, `only the index was hit: ${j.check.affected.join(', ')}`);

  const rebuilt = join(t.dir, 'rebuilt.vault');
  const sv = run('doctor', '--db', damaged, '--salvage', rebuilt);
  assert.equal(sv.code, 0, sv.err);
  assert.match(sv.out, /Salvaged into .*rebuilt\.vault: 2 bookmarks, 1 conversations, 2 messages/);
  assert.equal(run('index', notes, '--db', rebuilt, '-q').code, 0);
  assert.equal(run('doctor', '--db', rebuilt).code, 0);
  const v = Vault.open(rebuilt, { readOnly: true });
  try {
    assert.equal(v.health.ok, true);
    const tree = new BookmarkStore(v.db).tree();
    assert.equal(tree[0]?.label, 'Reading');
    assert.equal(tree[0]?.children?.[0]?.label, 'Ownership');
    const conv = new ConversationStore(v.db);
    assert.deepEqual(conv.messages(conv.list()[0]!.id).map((m) => m.content), ['What is borrowing?', 'Using a value without owning it [1].']);
    assert.equal(v.stats().files, 60);
  } finally {
    v.close();
  }
});

test('one overwritten page of a small vault is always found on open (every page is looked at)', () => {
  const pages = statSync(healthy).size / 4096;
  for (let seed = 1; seed <= 10; seed++) {
    const copy = join(t.dir, `one-${seed}.vault`);
    writeFileSync(copy, readFileSync(healthy));
    damage(copy, 1, seed, new Set());
    const mem = SqliteDatabase.open(copy, { readOnly: true, mustExist: true });
    try {
      assert.equal(openCheck(mem).ok, false, `seed ${seed} (${pages} pages)`);
    } finally {
      mem.close();
    }
  }
});
