// Catalog status and verification over a real SQLite records table (ModelRecords) and real files:
// available -> partial -> verified for single and split models, mismatch after a file changes,
// verify's (path, size, mtime) cache, and local models listed beside manifest ones.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile } from '../../../src/engine/download/downloadFile';
import { buildCatalog, type ManifestEntry } from '../../../src/engine/models/catalog';
import { mergeManifests } from '../../../src/engine/models/manifestSources';
import { downloadModel } from '../../../src/engine/models/modelDownloader';
import { verifyFile } from '../../../src/engine/models/verifyModel';
import { addLocalModel, checkModelLoadable } from '../../../src/engine/verify/verifyModelFile';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { ModelRecords } from '../../../src/app/models/modelRecords';
import { tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { FileServer } from './helpers/fileServer';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('catalog and verify', () => {
  const server = new FileServer();
  const tiny = readFileSync(tinyModel);
  const part1 = randomBytes(600_000);
  const part2 = randomBytes(400_000);
  const t = tempDir();
  const dir = join(t.dir, 'models');
  let db: SqliteDatabase;
  let store: ModelRecords;

  const entries = (): unknown[] => [
    { id: 'tiny', name: 'Tiny', role: 'chat', quantization: 'F32', contextLength: 2048, license: 'MIT', description: 'stories260K', files: [{ name: 'stories260K.gguf', size: tiny.length, sha256: tinyModelSha256, urls: [server.url('/stories260K.gguf')] }] },
    {
      id: 'split', name: 'Split', role: 'embedding', embeddingDimension: 64, quantization: 'F32', contextLength: 512, license: 'MIT', description: 'two parts',
      files: [
        { name: 'split-00001-of-00002.gguf', size: part1.length, sha256: sha(part1), urls: [server.url('/split-1.gguf')] },
        { name: 'split-00002-of-00002.gguf', size: part2.length, sha256: sha(part2), urls: [server.url('/split-2.gguf')] },
      ],
    },
  ];

  async function catalog(): Promise<Map<string, ManifestEntry>> {
    const merged = await mergeManifests({ includeDefault: false, settingsEntries: entries() });
    assert.deepEqual(merged.problems, []);
    const list = await buildCatalog(dir, merged.models, store);
    return new Map(list.filter((e): e is ManifestEntry => e.kind === 'manifest').map((e) => [e.id, e]));
  }

  before(async () => {
    await server.start();
    server.routes.set('/stories260K.gguf', { data: tiny });
    server.routes.set('/split-1.gguf', { data: part1 });
    server.routes.set('/split-2.gguf', { data: part2 });
    db = SqliteDatabase.open(join(t.dir, 'records.sqlite'));
    migrate(db);
    store = new ModelRecords(db);
  });
  after(async () => {
    db.close();
    await server.stop();
    t.cleanup();
  });

  it('goes from available to partial to verified as files arrive; split models need every part', async () => {
    let c = await catalog();
    assert.equal(c.get('tiny')!.status, 'available');
    assert.equal(c.get('split')!.status, 'available');

    // A started download (a .part) is partial, never a model.
    server.routes.set('/split-1.gguf', { data: part1, stallAt: 100_000 });
    await assert.rejects(downloadFile({ urls: [server.url('/split-1.gguf')], dir, fileName: 'split-00001-of-00002.gguf', expectedSha256: sha(part1), expectedSize: part1.length, retries: 0, backoffMs: 1, stallTimeoutMs: 300 }));
    server.routes.set('/split-1.gguf', { data: part1 });
    c = await catalog();
    assert.equal(c.get('split')!.status, 'partial');
    assert.equal(c.get('split')!.files[0]!.status, 'partial');
    assert.ok(c.get('split')!.bytesPresent > 0);

    const r = await downloadModel(c.get('tiny')!.model, { dir, store, backoffMs: 1 });
    assert.equal(r.files[0]!.sha256, tinyModelSha256);
    const split = await downloadModel(c.get('split')!.model, { dir, store, backoffMs: 1 });
    assert.equal(split.files.length, 2);
    assert.equal(split.path, join(dir, 'split-00001-of-00002.gguf'));
    c = await catalog();
    assert.equal(c.get('tiny')!.status, 'verified');
    assert.equal(c.get('split')!.status, 'verified');
    const rec = store.get(join(dir, 'split-00002-of-00002.gguf'));
    assert.equal(rec?.source, 'manifest');
    assert.equal(rec?.manifestId, 'split');
    assert.equal(rec?.status, 'verified');
    assert.equal(rec?.role, 'embedding');
    // The engine's gate accepts the verified file.
    assert.equal((await checkModelLoadable(store, join(dir, 'stories260K.gguf'))).ok, true);
  });

  it('shows a changed file as unverified, and verify then marks it mismatch and unusable', async () => {
    const path = join(dir, 'split-00002-of-00002.gguf');
    const bad = Buffer.from(part2);
    bad[1000] = bad[1000]! ^ 0xff; // same size, one byte different
    writeFileSync(path, bad);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    let c = await catalog();
    assert.equal(c.get('split')!.files[1]!.status, 'unverified');
    assert.equal(c.get('split')!.status, 'unverified');

    const merged = await mergeManifests({ includeDefault: false, settingsEntries: entries() });
    const v = await verifyFile(path, { models: merged.models, store });
    assert.equal(v.match, false);
    assert.equal(v.expectedFrom, 'manifest');
    assert.equal(v.manifestId, 'split');
    assert.equal(v.sha256, sha(bad));
    assert.match(v.detail ?? '', /expected/);
    c = await catalog();
    assert.equal(c.get('split')!.status, 'mismatch');
    await assert.rejects(checkModelLoadable(store, path), /failed verification/);

    // A file of the wrong size is a mismatch without hashing.
    appendFileSync(join(dir, 'stories260K.gguf'), Buffer.from([0]));
    c = await catalog();
    assert.equal(c.get('tiny')!.status, 'mismatch');
    assert.match(c.get('tiny')!.files[0]!.detail ?? '', /size 1185377 bytes, expected 1185376/);
  });

  it('verify with an explicit SHA-256 caches by (path, size, mtime) and re-hashes on --force or change', async () => {
    const path = join(t.dir, 'loose.gguf');
    const data = randomBytes(200_000);
    writeFileSync(path, data);
    const first = await verifyFile(path, { expectedSha256: sha(data).toUpperCase(), store });
    assert.equal(first.match, true);
    assert.equal(first.cached, false);
    assert.equal(store.get(path)?.source, 'local', 'a file matching a hash the user gave is recorded as a local model');
    const second = await verifyFile(path, { expectedSha256: sha(data), store });
    assert.equal(second.cached, true);
    assert.equal(second.match, true);
    const forced = await verifyFile(path, { expectedSha256: sha(data), store, force: true });
    assert.equal(forced.cached, false);
    const wrong = await verifyFile(path, { expectedSha256: 'cd'.repeat(32), store });
    assert.equal(wrong.match, false);
    assert.equal(store.get(path)?.status, 'mismatch');
    // Nothing to compare with: match is null (the CLI then exits non-zero).
    const other = join(t.dir, 'unknown.gguf');
    writeFileSync(other, randomBytes(1000));
    const none = await verifyFile(other, {});
    assert.equal(none.match, null);
    await assert.rejects(verifyFile(join(t.dir, 'nope.gguf'), {}), /File not found/);
    await assert.rejects(verifyFile(path, { expectedSha256: 'xyz' }), /64 hexadecimal/);
  });

  it('lists local models the user added beside the manifest models', async () => {
    const path = join(t.dir, 'my-own.gguf');
    writeFileSync(path, tiny);
    await addLocalModel(store, path, { role: 'chat' });
    const merged = await mergeManifests({ includeDefault: false, settingsEntries: entries() });
    const list = await buildCatalog(dir, merged.models, store);
    const local = list.find((e) => e.kind === 'local' && e.path === path);
    assert.ok(local && local.kind === 'local');
    assert.equal(local.status, 'verified');
    assert.equal(local.sha256, tinyModelSha256);
    assert.equal(local.role, 'chat');
  });
});
