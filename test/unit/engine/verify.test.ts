// The verification gate over a real vault database: unverified files refused (before any engine
// starts), manifest downloads checked against their expected SHA-256, local models added by the
// user, the hash remembered by (path, size, mtime) and recomputed when the file changes.
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../src/engine/client/engineClient';
import { addLocalModel, checkModelLoadable, ModelGateError, verifyModelFile } from '../../../src/engine/verify/verifyModelFile';
import { tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { openFixture, type Fixture } from './engineFixtures';

describe('verification gate', () => {
  let fx: Fixture;
  let copy: string;

  before(async () => {
    fx = await openFixture({}, {}, false);
    copy = join(fx.dir, 'copy.gguf');
    copyFileSync(tinyModel, copy);
  });

  after(async () => {
    await fx.close();
  });

  it('refuses a file that was neither verified nor added, without starting the engine', async () => {
    await assert.rejects(fx.engine.loadModel(copy), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'unverified');
      assert.match(err.message, /copy\.gguf is not a verified model: it was neither downloaded and verified from the model manifest nor added as a local model/);
      return true;
    });
    assert.equal(fx.engine.running, false, 'no engine was started for a refused file');
    await assert.rejects(checkModelLoadable(fx.records, join(fx.dir, 'nope.gguf')), (err: unknown) => err instanceof ModelGateError && err.code === 'not-found');
  });

  it('records a manifest download, remembers its hash, and refuses a mismatch', async () => {
    const first = await verifyModelFile(fx.records, copy, { sha256: tinyModelSha256, manifestId: 'stories260K', role: 'chat' });
    assert.equal(first.ok, true);
    assert.equal(first.rehashed, true);
    assert.equal(first.record.sha256, tinyModelSha256);
    const again = await verifyModelFile(fx.records, copy, { sha256: tinyModelSha256, manifestId: 'stories260K' });
    assert.equal(again.rehashed, false, 'unchanged (size, mtime): the remembered hash is used');
    const row = fx.db.get<{ source: string; status: string; manifest_id: string; expected_sha256: string; size: number; role: string }>('SELECT * FROM models WHERE path = ?', [copy]);
    assert.deepEqual({ ...row }, { ...row, source: 'manifest', status: 'verified', manifest_id: 'stories260K', expected_sha256: tinyModelSha256, size: statSync(copy).size, role: 'chat' });

    const wrong = await verifyModelFile(fx.records, copy, { sha256: '0'.repeat(64), manifestId: 'other' });
    assert.equal(wrong.ok, false);
    assert.equal(fx.records.get(copy)?.status, 'mismatch');
    await assert.rejects(checkModelLoadable(fx.records, copy), /failed verification: its SHA-256 270cba1b.* does not match 0{64}/);
    // Verified again against the right entry, it loads.
    await verifyModelFile(fx.records, copy, { sha256: tinyModelSha256, manifestId: 'stories260K' });
    const m = await fx.engine.loadModel(copy, { contextSize: 256 });
    assert.equal(m.file, copy);
    await fx.engine.unloadModel(m);
  });

  it('re-hashes a manifest file that changed on disk, and refuses it when it no longer matches', async () => {
    const before = await checkModelLoadable(fx.records, copy);
    assert.equal(before.rehashed, false);
    // Same bytes, new mtime: re-hashed, still matches, so it stays verified.
    const t = new Date(Date.now() - 3600_000);
    utimesSync(copy, t, t);
    const touched = await checkModelLoadable(fx.records, copy);
    assert.equal(touched.rehashed, true);
    assert.equal(touched.record.mtimeMs, Math.trunc(statSync(copy).mtimeMs));
    // Changed bytes: re-hashed, mismatch recorded, refused.
    appendFileSync(copy, Buffer.from('tampered'));
    await assert.rejects(checkModelLoadable(fx.records, copy), /changed on disk since it was verified and no longer matches its manifest checksum/);
    const rec = fx.records.get(copy);
    assert.equal(rec?.status, 'mismatch');
    assert.notEqual(rec?.sha256, tinyModelSha256);
    assert.equal(rec?.size, statSync(copy).size);
    await assert.rejects(fx.engine.loadModel(copy), (err: unknown) => err instanceof EngineError && err.code === 'unverified');
  });

  it('adds a local model (the user vouches for it), and re-hashes it when it changes', async () => {
    const local = join(fx.dir, 'local.gguf');
    copyFileSync(tinyModel, local);
    const added = await addLocalModel(fx.records, local);
    assert.equal(added.rehashed, true);
    assert.equal(added.record.source, 'local');
    assert.equal(added.record.status, 'verified');
    assert.equal(added.record.sha256, tinyModelSha256);
    assert.equal(added.record.expectedSha256, null);
    assert.equal((await addLocalModel(fx.records, local)).rehashed, false);
    assert.equal((await checkModelLoadable(fx.records, local)).rehashed, false);

    appendFileSync(local, Buffer.alloc(16));
    const changed = await checkModelLoadable(fx.records, local);
    assert.equal(changed.rehashed, true);
    assert.notEqual(changed.record.sha256, tinyModelSha256, 'the new content\'s hash is recorded');
    assert.equal(fx.records.get(local)?.sha256, changed.record.sha256);
    assert.equal((await checkModelLoadable(fx.records, local)).rehashed, false);

    // A verification that found the local file bad (markMismatch) makes it refused until re-added.
    const rec = fx.records.get(local);
    assert.ok(rec);
    fx.records.markMismatch(local, rec.sha256, rec.size, rec.mtimeMs);
    await assert.rejects(checkModelLoadable(fx.records, local), /failed verification .* Add it as a local model again/);
    assert.equal((await addLocalModel(fx.records, local)).record.status, 'verified');
    assert.equal((await checkModelLoadable(fx.records, local)).ok, true);
  });
});
