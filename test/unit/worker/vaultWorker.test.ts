// The vault worker through its real thread (dist/vault-worker.js, built by `node esbuild.mjs`) and
// typed protocol: real SQLite files in temp folders, real notes on disk.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, tempDir } from '../../helpers/paths';
import { SNIPPET_CLOSE, SNIPPET_OPEN, type SearchFilter, type WorkerMessage } from '../../../src/worker/protocol';
import { VaultWorkerClient, VaultWorkerError } from '../../../src/worker/vaultWorkerClient';
import { VaultWorkerHandler } from '../../../src/worker/vaultWorkerHandler';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';

const workerFile = join(repoRoot, 'dist', 'vault-worker.js');
const settings = { include: ['**/*.md', '**/*.markdown'], exclude: ['drafts/**'], maxFileBytes: 2 * 1024 * 1024 };

let tmp: { dir: string; cleanup: () => void };
let notes: string;
let client: VaultWorkerClient;

before(async () => {
  assert.ok(existsSync(workerFile), `${workerFile} is missing: run node esbuild.mjs first`);
  tmp = tempDir('cv-worker-');
  notes = join(tmp.dir, 'notes');
  mkdirSync(join(notes, 'drafts'), { recursive: true });
  writeFileSync(join(notes, 'alpha.md'), '# Alpha\n\n## Gardening\n\nTomatoes need staking and deep watering.\n');
  writeFileSync(join(notes, 'beta.md'), '# Beta\n\nA note about lighthouses and their keepers.\n');
  writeFileSync(join(notes, 'drafts', 'secret.md'), '# Draft\n\nTomatoes in a draft that is excluded.\n');
  client = new VaultWorkerClient(workerFile);
  const opened = await client.request({ kind: 'open', dbFile: join(tmp.dir, 'vault.db') });
  assert.equal(opened.readOnly, false);
  await client.request({ kind: 'configure', roots: [notes], settings });
});

after(async () => {
  await client?.dispose();
  tmp?.cleanup();
});

async function paths(query: string): Promise<string[]> {
  return (await client.request({ kind: 'search', query, mode: 'lexical', limit: 20 })).items.map((i) => i.path);
}

test('index reports progress and counts; excluded folders stay out', async () => {
  const progress: string[] = [];
  let statsEvents = 0;
  const off = client.subscribe(['stats'], (e) => { if (e.topic === 'stats') statsEvents++; });
  const r = await client.request({ kind: 'index' }, { onProgress: (p) => progress.push(p.phase) });
  off();
  assert.equal(r.added, 2);
  assert.equal(r.cancelled, false);
  assert.ok(progress.includes('indexing'));
  assert.ok(statsEvents >= 1);
  const s = await client.request({ kind: 'stats' });
  assert.equal(s.files, 2);
  assert.ok(s.chunks >= 2);
  assert.equal(s.embedded, 0);
  assert.deepEqual(await paths('tomatoes'), ['alpha.md']);
});

test('search returns heading, lines and a snippet with private-use markers', async () => {
  const res = await client.request({ kind: 'search', query: 'staking', mode: 'lexical', limit: 5 });
  const hit = res.items[0]!;
  assert.equal(hit.path, 'alpha.md');
  assert.equal(hit.root, notes);
  assert.match(hit.heading, /Gardening/);
  assert.ok(hit.startLine >= 3 && hit.endLine >= 5);
  assert.ok(hit.snippet.includes(`${SNIPPET_OPEN}staking${SNIPPET_CLOSE}`), hit.snippet);
  assert.equal(res.mode, 'lexical');
  assert.equal(res.fallbackReason, undefined);
});

test('hybrid search without embeddings falls back to full text and says why', async () => {
  const res = await client.request({ kind: 'search', query: 'lighthouses', mode: 'hybrid', limit: 5 });
  assert.equal(res.mode, 'lexical');
  assert.match(res.fallbackReason ?? '', /embedding/);
  assert.equal(res.items[0]?.path, 'beta.md');
});

test('live changes: add, rename, delete; excluded and outside paths are ignored', async () => {
  writeFileSync(join(notes, 'gamma.md'), '# Gamma\n\nQuokkas are small marsupials.\n');
  writeFileSync(join(notes, 'drafts', 'more.md'), '# Quokka draft\n');
  let r = await client.request({ kind: 'applyChanges', changes: [
    { kind: 'changed', path: join(notes, 'gamma.md') },
    { kind: 'changed', path: join(notes, 'drafts', 'more.md') },
    { kind: 'changed', path: join(tmp.dir, 'outside.md') },
  ] });
  assert.deepEqual(r, { applied: 1, ignored: 2 });
  assert.deepEqual(await paths('quokkas'), ['gamma.md']);

  renameSync(join(notes, 'gamma.md'), join(notes, 'delta.md'));
  r = await client.request({ kind: 'applyChanges', changes: [{ kind: 'renamed', path: join(notes, 'delta.md'), from: join(notes, 'gamma.md') }] });
  assert.equal(r.applied, 1);
  assert.deepEqual(await paths('quokkas'), ['delta.md']);

  rmSync(join(notes, 'delta.md'));
  await client.request({ kind: 'applyChanges', changes: [{ kind: 'deleted', path: join(notes, 'delta.md') }] });
  assert.deepEqual(await paths('quokkas'), []);
});

test('folder renames move their notes; folder deletes remove them', async () => {
  mkdirSync(join(notes, 'trips'));
  writeFileSync(join(notes, 'trips', 'iceland.md'), '# Iceland\n\nGeysers and glaciers.\n');
  writeFileSync(join(notes, 'trips', 'norway.md'), '# Norway\n\nFjords and glaciers.\n');
  await client.request({ kind: 'applyChanges', changes: [{ kind: 'changed', path: join(notes, 'trips', 'iceland.md') }, { kind: 'changed', path: join(notes, 'trips', 'norway.md') }] });
  assert.deepEqual((await paths('glaciers')).sort(), ['trips/iceland.md', 'trips/norway.md']);
  renameSync(join(notes, 'trips'), join(notes, 'travel'));
  let r = await client.request({ kind: 'applyChanges', changes: [{ kind: 'renamed', path: join(notes, 'travel'), from: join(notes, 'trips') }] });
  assert.equal(r.applied, 2);
  assert.deepEqual((await paths('glaciers')).sort(), ['travel/iceland.md', 'travel/norway.md']);
  rmSync(join(notes, 'travel'), { recursive: true });
  r = await client.request({ kind: 'applyChanges', changes: [{ kind: 'deleted', path: join(notes, 'travel') }] });
  assert.equal(r.applied, 2);
  assert.deepEqual(await paths('glaciers'), []);
});

test('multi-root: every workspace folder is indexed and searched, each hit names its root', async () => {
  const other = join(tmp.dir, 'other-root');
  mkdirSync(other);
  writeFileSync(join(other, 'alpha.md'), '# Other alpha\n\nTomatoes from the second folder.\n');
  await client.request({ kind: 'configure', roots: [notes, other], settings });
  await client.request({ kind: 'index' });
  const res = await client.request({ kind: 'search', query: 'tomatoes', mode: 'lexical', limit: 10 });
  assert.deepEqual(res.items.map((i) => [i.root, i.path]).sort(), [[notes, 'alpha.md'], [other, 'alpha.md']].sort());
  writeFileSync(join(other, 'live.md'), '# Live\n\nPangolins in the second root.\n');
  await client.request({ kind: 'applyChanges', changes: [{ kind: 'changed', path: join(other, 'live.md') }] });
  assert.deepEqual((await client.request({ kind: 'search', query: 'pangolins', mode: 'lexical', limit: 5 })).items.map((i) => i.root), [other]);
  // The second folder leaves the workspace: its notes leave the vault.
  await client.request({ kind: 'configure', roots: [notes], settings });
  const r = await client.request({ kind: 'index' });
  assert.equal(r.removed, 2);
  assert.deepEqual(await paths('pangolins'), []);
  assert.deepEqual(await paths('tomatoes'), ['alpha.md']);
});

test('a search filter (roots, path prefix, tag) crosses the protocol: only the notes it allows come back', async () => {
  const other = join(tmp.dir, 'filter-root');
  mkdirSync(join(other, 'crops'), { recursive: true });
  writeFileSync(join(other, 'alpha.md'), '# Filter alpha\n\nTomatoes of the filter folder.\n');
  writeFileSync(join(other, 'crops', 'tagged.md'), '---\ntags: [harvest]\n---\n# Tagged\n\nTomatoes tagged for the harvest.\n');
  await client.request({ kind: 'configure', roots: [notes, other], settings });
  await client.request({ kind: 'index' });
  const found = async (filter: SearchFilter): Promise<string[][]> =>
    (await client.request({ kind: 'search', query: 'tomatoes', mode: 'lexical', limit: 10, filter })).items.map((i) => [i.root, i.path]).sort();
  assert.deepEqual(await found({}), [[notes, 'alpha.md'], [other, 'alpha.md'], [other, 'crops/tagged.md']].sort());
  assert.deepEqual(await found({ roots: [other] }), [[other, 'alpha.md'], [other, 'crops/tagged.md']].sort());
  assert.deepEqual(await found({ pathPrefix: 'crops/' }), [[other, 'crops/tagged.md']]);
  assert.deepEqual(await found({ tag: '#Harvest' }), [[other, 'crops/tagged.md']]);
  assert.deepEqual(await found({ roots: [notes], pathPrefix: 'alpha' }), [[notes, 'alpha.md']]);
  assert.deepEqual(await found({ roots: [notes], tag: 'harvest' }), []);
  await client.request({ kind: 'configure', roots: [notes], settings });
  await client.request({ kind: 'index' });
  assert.deepEqual(await paths('tomatoes'), ['alpha.md']);
});

test('configure with new exclude rules, then index, removes newly excluded notes', async () => {
  await client.request({ kind: 'configure', roots: [notes], settings: { ...settings, exclude: ['drafts/**', 'beta.md'] } });
  const r = await client.request({ kind: 'index' });
  assert.equal(r.removed, 1);
  assert.deepEqual(await paths('lighthouses'), []);
  await client.request({ kind: 'configure', roots: [notes], settings });
  await client.request({ kind: 'index' });
  assert.deepEqual(await paths('lighthouses'), ['beta.md']);
});

test('hybrid search with a query vector fuses the model\'s vectors with full text', async () => {
  // Hand-made 4-dim vectors written through a second connection (the worker is idle): beta's chunks
  // point one way, every other chunk another, so only the vector side can bring beta up.
  const db = SqliteDatabase.open(join(tmp.dir, 'vault.db'));
  try {
    const rows = db.all('SELECT c.hash AS hash, d.path AS path FROM chunks c JOIN documents d ON d.id = c.doc_id');
    const store = new EmbeddingStore(db);
    store.put('hand-made', rows.map((r) => ({ chunkHash: String(r.hash), vector: r.path === 'beta.md' ? [1, 0, 0, 0] : [0, 1, 0, 0] })));
    // The stats count the active model's coverage (the backfill makes its model active).
    store.setActiveModel('hand-made');
  } finally {
    db.close();
  }
  const res = await client.request({ kind: 'search', query: 'unrelatedword', mode: 'hybrid', limit: 5, embedding: { modelKey: 'hand-made', vector: [1, 0, 0, 0] } });
  assert.equal(res.mode, 'hybrid');
  assert.equal(res.fallbackReason, undefined);
  assert.equal(res.items[0]?.path, 'beta.md');
  // A path filter holds on the vector side too: beta's vectors cannot bring it into alpha's scope.
  const scoped = await client.request({ kind: 'search', query: 'unrelatedword', mode: 'hybrid', limit: 5, embedding: { modelKey: 'hand-made', vector: [1, 0, 0, 0] }, filter: { pathPrefix: 'alpha' } });
  assert.equal(scoped.mode, 'hybrid');
  assert.deepEqual([...new Set(scoped.items.map((i) => i.path))], ['alpha.md']);
  const stats = await client.request({ kind: 'stats' });
  assert.equal(stats.embedded, stats.chunks);
});

test('a cancelled index rejects with code "cancelled" and leaves the vault usable', async () => {
  const many = join(notes, 'many');
  mkdirSync(many);
  for (let i = 0; i < 400; i++) writeFileSync(join(many, `n${i}.md`), `# Note ${i}\n\nfiller text number ${i}\n`);
  const abort = new AbortController();
  const run = client.request({ kind: 'index' }, { signal: abort.signal, onProgress: () => abort.abort() });
  await assert.rejects(run, (err: unknown) => err instanceof VaultWorkerError && err.code === 'cancelled');
  assert.deepEqual(await paths('tomatoes'), ['alpha.md']);
  rmSync(many, { recursive: true });
});

test('a second worker on the same database opens it read-only, saying why, and can search', async () => {
  const second = new VaultWorkerClient(workerFile);
  try {
    const opened = await second.request({ kind: 'open', dbFile: join(tmp.dir, 'vault.db') });
    assert.equal(opened.readOnly, true);
    assert.match(opened.reason ?? '', /process/);
    const res = await second.request({ kind: 'search', query: 'tomatoes', mode: 'lexical', limit: 5 });
    assert.equal(res.items[0]?.path, 'alpha.md');
    await second.request({ kind: 'configure', roots: [notes], settings });
    await assert.rejects(second.request({ kind: 'index' }), /read-only/);
  } finally {
    await second.dispose();
  }
});

test('malformed messages and unknown services get specific errors', async () => {
  const sent: WorkerMessage[] = [];
  const handler = new VaultWorkerHandler((m) => sent.push(m));
  handler.handle({ type: 'request', id: 7, request: { kind: 'drop-tables' } });
  handler.handle('nonsense');
  assert.deepEqual(sent.map((m) => m.type === 'response' && !m.ok ? [m.id, m.error.code] : null), [[7, 'bad-request'], [-1, 'bad-request']]);
  await assert.rejects(client.request({ kind: 'service', service: 'nope', method: 'x', args: [] }), /unknown service method nope\.x/);
});

test('related notes through the worker: by absolute path, never the note itself; an excluded note is a clear error', async () => {
  const r = await client.call('related', 'find', join(notes, 'alpha.md'), { limit: 5 });
  assert.equal(r.path, 'alpha.md');
  assert.equal(r.root, notes);
  assert.ok(!r.notes.some((n) => n.path === 'alpha.md'));
  await assert.rejects(client.call('related', 'find', join(notes, 'drafts', 'secret.md')), /drafts\/secret\.md is not a note of this vault/);
});

test('only allow-listed service methods run: dispose and other public methods are refused, and the services keep working', async () => {
  for (const [service, method] of [['models', 'dispose'], ['chat', 'dispose'], ['chat', 'ask'], ['embeddings', 'dispose'], ['bookmarks', 'delete'], ['models', 'handle'], ['chat', 'constructor']]) {
    await assert.rejects(
      client.request({ kind: 'service', service, method, args: [] }),
      (err: unknown) => err instanceof VaultWorkerError && err.code === 'bad-request' && err.message.includes(`unknown service method ${service}.${method}`),
      `${service}.${method} must be refused`,
    );
  }
  assert.deepEqual(await client.call('chat', 'listConversations'), []);
  assert.equal((await client.call('embeddings', 'status')).state, 'idle');
});

test('requests before open fail with code "closed"', async () => {
  const sent: WorkerMessage[] = [];
  const handler = new VaultWorkerHandler((m) => sent.push(m));
  handler.handle({ type: 'request', id: 1, request: { kind: 'stats' } });
  await new Promise((r) => setTimeout(r, 20));
  const res = sent[0];
  assert.ok(res?.type === 'response' && !res.ok && res.error.code === 'closed', JSON.stringify(res));
});

test('requests after dispose fail with code "closed"', async () => {
  const c = new VaultWorkerClient(workerFile);
  await c.dispose();
  await assert.rejects(c.request({ kind: 'stats' }), (err: unknown) => err instanceof VaultWorkerError && err.code === 'closed');
});

test('opening a vault of an older schema re-indexes it once, reporting "upgrading" progress to the open request', async () => {
  const t = tempDir('cv-worker-upgrade-');
  const other = new VaultWorkerClient(workerFile);
  try {
    const dbFile = join(t.dir, 'old.db');
    const { loadMigrations, migrate } = await import('../../../src/vault/db/migrations');
    const db = SqliteDatabase.open(dbFile);
    migrate(db, loadMigrations(), 3);
    db.transaction(() => {
      const root = db.run("INSERT INTO roots (path, name) VALUES ('/n', 'n')").lastInsertRowid;
      const doc = db.run("INSERT INTO documents (root_id, path, size, mtime_ms, hash, title, indexed_at) VALUES (?, 'zh.md', 1, 1, 'h', '归档', 1)", [root]).lastInsertRowid;
      for (let i = 0; i < 3; i++) db.run("INSERT INTO chunks (doc_id, ord, start_line, end_line, hash, title, headings, body, tags) VALUES (?, ?, ?, ?, ?, '归档', '', '创建一个压缩文件并将其写入文件', '')", [doc, i, i + 1, i + 1, `c${i}`]);
    });
    db.close();
    const seen: string[] = [];
    await other.request({ kind: 'open', dbFile }, { onProgress: (p) => seen.push(`${p.phase} ${p.done}/${p.total}`) });
    assert.deepEqual(seen, ['upgrading 0/3', 'upgrading 3/3']);
    await other.request({ kind: 'configure', roots: [], settings });
    const found = await other.request({ kind: 'search', query: '压缩', mode: 'lexical', limit: 5 });
    assert.equal(found.items.length, 3);
    assert.match(found.items[0]!.snippet, new RegExp(`${SNIPPET_OPEN}压缩${SNIPPET_CLOSE}`));
  } finally {
    await other.dispose();
    t.cleanup();
  }
});
