// A damaged vault in the extension's worker (the real thread, dist/vault-worker.js): the background
// full check finds damage that appears while the vault is open and stops every write at once (the
// features' too); a vault found damaged on opening is opened read-only with the damage reported;
// rebuild keeps the bookmarks, sets the damaged file aside, and indexing fills the new vault.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { VaultWorkerClient } from '../../../src/worker/vaultWorkerClient';
import { repoRoot, tempDir } from '../../helpers/paths';
import { overwritePages, pagesOf } from '../../helpers/damage';
import { rng } from '../../helpers/rng';
import { copyRustBook } from '../vault/support/vaultFixtures';

const workerFile = join(repoRoot, 'dist', 'vault-worker.js');
const settings = { include: ['**/*.md'], exclude: [], maxFileBytes: 2 * 1024 * 1024 };
let tmp: { dir: string; cleanup: () => void };
let notes: string;
let db: string;
let client: VaultWorkerClient;

/** Overwrites `count` pages of the notes' index with random bytes (never the schema or the kept tables). */
function damageIndex(file: string, count: number, seed: number): void {
  const candidates = pagesOf(file, ['chunks', 'chunks_fts_data', 'documents']);
  const r = rng(seed);
  overwritePages(file, Array.from({ length: count }, () => candidates[Math.floor(r() * candidates.length)]!), { seed });
}

before(async () => {
  assert.ok(existsSync(workerFile), `${workerFile} is missing: run node esbuild.mjs first`);
  tmp = tempDir('cv-worker-damage-');
  notes = join(tmp.dir, 'notes');
  copyRustBook(notes, undefined, 30);
  db = join(tmp.dir, 'vault.db');
  client = new VaultWorkerClient(workerFile);
  assert.equal((await client.request({ kind: 'open', dbFile: db })).readOnly, false);
  await client.request({ kind: 'configure', roots: [notes], settings });
  await client.request({ kind: 'index' });
});

after(async () => {
  await client?.dispose();
  tmp?.cleanup();
});

test('the full check of a whole vault finds nothing', async () => {
  const r = await client.request({ kind: 'checkHealth' });
  assert.equal(r.ok, true, r.problems.join('; '));
  assert.ok(r.checked.includes('integrity_check'));
});

test('damage found by the background check stops every write, the features\' included; rebuild keeps the bookmarks', async () => {
  const bookmark = await client.call('bookmarks', 'addFile', { rootPath: notes, path: 'ch01-00-getting-started.md', label: 'Start here' });
  assert.ok(bookmark.id > 0);
  damageIndex(db, 12, 3);
  const r = await client.request({ kind: 'checkHealth' });
  assert.equal(r.ok, false);
  assert.ok(r.affected.some((a) => /^(chunks|documents|chunks_fts_data)$/.test(a)), `affected: ${r.affected.join(', ')}`);

  const frozen = readFileSync(db);
  await assert.rejects(client.call('bookmarks', 'addFile', { rootPath: notes, path: 'ch02-00-guessing-game-tutorial.md', label: 'Game' }), /damaged/);
  await assert.rejects(client.request({ kind: 'index' }), /damaged/);
  writeFileSync(join(notes, 'new-note.md'), '# New\n\nA note written after the damage.\n');
  const changes = await client.request({ kind: 'applyChanges', changes: [{ kind: 'changed', path: join(notes, 'new-note.md') }] });
  assert.equal(changes.applied, 0);
  assert.ok(readFileSync(db).equals(frozen), 'not a byte was written to the damaged vault');

  const rebuilt = await client.request({ kind: 'rebuild' });
  assert.equal(rebuilt.copied.bookmarks, 1);
  assert.ok(existsSync(rebuilt.damagedCopy), 'the damaged file is kept aside');
  assert.ok(readFileSync(rebuilt.damagedCopy).equals(frozen));
  await client.request({ kind: 'configure', roots: [notes], settings });
  const indexed = await client.request({ kind: 'index' });
  assert.equal(indexed.added, 31);
  assert.equal((await client.request({ kind: 'checkHealth' })).ok, true);
  const list = await client.call('bookmarks', 'tree');
  assert.deepEqual(list.map((b) => b.label), ['Start here']);
  const hits = await client.request({ kind: 'search', query: 'cargo', mode: 'lexical', limit: 3 });
  assert.ok(hits.items.length > 0);
});

test('a vault found damaged on opening is opened read-only, with the damage reported', async () => {
  await client.request({ kind: 'close' });
  damageIndex(db, 8, 11);
  const size = statSync(db).size;
  const opened = await client.request({ kind: 'open', dbFile: db });
  assert.equal(opened.readOnly, true);
  assert.ok(opened.damage && opened.damage.problems.length > 0, 'the damage is reported');
  assert.match(opened.reason ?? '', /damaged/);
  await client.request({ kind: 'configure', roots: [notes], settings });
  await assert.rejects(client.request({ kind: 'index' }), /damaged/);
  assert.equal(statSync(db).size, size);
  assert.ok(readdirSync(tmp.dir).some((f) => f.startsWith('vault.db.damaged-')), 'the earlier damaged copy is still there');
});
