// The Models view's worker service against real things: the real tiny GGUF model, a real engine
// process, a real HTTP server on 127.0.0.1 serving a user manifest's model, and a real SQLite file.
import assert from 'node:assert/strict';
import { createReadStream, readFileSync, statSync, writeFileSync, appendFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import type { ModelsConfig } from '../../../src/app/models/modelsTypes';
import { composeTestApp, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';

const t = tempDir('cv-models-');
const modelsDir = join(t.dir, 'models');
let server: Server;
let db: SqliteDatabase;
let app: TestApp;
let svc: TestApp['services']['models'];
let config: ModelsConfig;
let slowReleased = false;

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow/stories-slow.gguf' && !slowReleased) {
      // Sends the first 200 KB, then holds the connection open: a download in progress.
      res.writeHead(200, { 'content-length': String(statSync(tinyModel).size), 'content-type': 'application/octet-stream' });
      res.write(readFileSync(tinyModel).subarray(0, 200_000));
      req.on('close', () => res.destroy());
      return;
    }
    if (req.url !== '/stories260K.gguf' && req.url !== '/slow/stories-slow.gguf') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': String(statSync(tinyModel).size), 'content-type': 'application/octet-stream' });
    createReadStream(tinyModel).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const manifestFile = join(t.dir, 'my-manifest.json');
  writeFileSync(manifestFile, JSON.stringify({
    version: 1,
    models: [{
      id: 'stories-260k', name: 'Stories 260K', role: 'chat', quantization: 'F32', contextLength: 512, license: 'MIT',
      description: 'A tiny test model.',
      files: [{ name: 'stories260K.gguf', size: statSync(tinyModel).size, sha256: tinyModelSha256, urls: [`http://127.0.0.1:${port}/stories260K.gguf`] }],
    }, {
      id: 'stories-slow', name: 'Stories (slow server)', role: 'chat', quantization: 'F32', contextLength: 512, license: 'MIT',
      description: 'The tiny model from a server that stalls.',
      files: [{ name: 'stories-slow.gguf', size: statSync(tinyModel).size, sha256: tinyModelSha256, urls: [`http://127.0.0.1:${port}/slow/stories-slow.gguf`] }],
    }],
  }));
  db = SqliteDatabase.open(join(t.dir, 'vault.db'));
  migrate(db);
  app = composeTestApp(db);
  svc = app.services.models;
  config = { modelsDir, manifestFile, contextSize: 256, threads: 1, gpu: 'cpu', idleUnloadMs: 0, lowMemoryWatermarkBytes: 0 };
  svc.configure(config);
});

after(async () => {
  await app.dispose();
  db.close();
  await new Promise((r) => server.close(r));
  t.cleanup();
});

test('lists the default manifest and the user manifest, with states and fit', async () => {
  const snap = await svc.list();
  assert.deepEqual(snap.problems, []);
  const stories = snap.models.find((m) => m.id === 'stories-260k');
  assert.ok(stories);
  assert.equal(stories.state, 'not-downloaded');
  assert.equal(stories.source, 'manifest');
  assert.ok(stories.fit && ['fits', 'tight', 'wont-fit'].includes(stories.fit.level), JSON.stringify(stories.fit));
  assert.equal(stories.fit.level, 'fits');
  assert.ok(snap.models.some((m) => m.id === 'qwen2.5-0.5b-instruct-q4_k_m' && m.state === 'not-downloaded'));
  assert.equal(snap.engine, null);
});

test('a local GGUF file is added (hashed and recorded), verified, loaded with memory figures, and unloaded', async () => {
  const item = await svc.addLocal(tinyModel);
  assert.equal(item.source, 'local');
  assert.equal(item.state, 'verified');
  assert.equal(item.id, `local:${tinyModel}`);
  const v = await svc.verify(item.id);
  assert.equal(v.match, true);
  assert.match(v.lines[0]!, new RegExp(tinyModelSha256));

  const loaded = await svc.load(item.id);
  assert.equal(loaded.state, 'loaded');
  assert.ok(loaded.loaded);
  assert.ok(loaded.loaded.ramBytes > 0, 'RAM figure');
  assert.ok(loaded.loaded.kvCacheBytes > 0, 'KV cache figure');
  assert.equal(loaded.loaded.contextSize, 256);
  const snap = await svc.list();
  assert.ok(snap.engine && snap.engine.rssBytes > 0);

  assert.equal(await svc.unload(item.id), true);
  assert.equal((await svc.list()).models.find((m) => m.id === item.id)?.state, 'verified');
});

test('something that is not GGUF is refused with a clear error and not recorded', async () => {
  const notGguf = join(t.dir, 'notes.gguf');
  writeFileSync(notGguf, 'just text, not a model');
  await assert.rejects(svc.addLocal(notGguf), /not a GGUF model file/);
  await assert.rejects(svc.addLocal('relative/model.gguf'), /not an absolute path/);
  await assert.rejects(svc.addLocal(join(t.dir, 'nope.gguf')), /does not exist/);
  assert.equal((await svc.list()).models.filter((m) => m.source === 'local').length, 1);
});

test('a manifest model downloads from a real server, verifies, is found mismatching after tampering, and is deleted', async () => {
  const r = await svc.download('stories-260k');
  assert.equal(r.path, join(modelsDir, 'stories260K.gguf'));
  assert.deepEqual(readFileSync(r.path), readFileSync(tinyModel));
  let m = (await svc.list()).models.find((x) => x.id === 'stories-260k')!;
  assert.equal(m.state, 'verified');
  assert.equal((await svc.verify('stories-260k')).match, true);

  // One byte appended: the size no longer matches, and verify says so and marks it unusable.
  appendFileSync(r.path, Buffer.from([0]));
  const v = await svc.verify('stories-260k');
  assert.equal(v.match, false);
  assert.match(v.lines[0]!, /MISMATCH/);
  m = (await svc.list()).models.find((x) => x.id === 'stories-260k')!;
  assert.equal(m.state, 'mismatch');
  await assert.rejects(svc.load('stories-260k'), /cannot be loaded while it is mismatch/);

  const del = await svc.remove('stories-260k');
  assert.ok(del.deletedFiles.includes(r.path));
  assert.equal(existsSync(r.path), false);
  assert.deepEqual(readdirSync(modelsDir), []);
  assert.equal((await svc.list()).models.find((x) => x.id === 'stories-260k')?.state, 'not-downloaded');
});

test('removing a local model forgets it but never deletes the user\'s file', async () => {
  await svc.remove(`local:${tinyModel}`);
  assert.equal(existsSync(tinyModel), true);
  assert.equal((await svc.list()).models.some((m) => m.id === `local:${tinyModel}`), false);
});

test('unknown models and missing settings give specific errors', async () => {
  await assert.rejects(svc.download('no-such-model'), /No model "no-such-model" in the manifest/);
  await assert.rejects(svc.load('no-such-model'), /No model "no-such-model"/);
  const otherDb = SqliteDatabase.open(join(t.dir, 'other.db'));
  try {
    migrate(otherDb);
    const other = composeTestApp(otherDb);
    const fresh = other.services.models;
    await assert.rejects(fresh.list(), /no settings yet/);
    await assert.rejects(fresh.configure({ ...config, modelsDir: 'relative' }), /absolute path/);
    await assert.rejects(fresh.handle(tinyModel), /no settings yet/);
    await other.dispose();
  } finally {
    otherDb.close();
  }
});

test('a download in progress is reported as events (downloading, bytes and speed), is cancelled to partial, and resumes to verified', async () => {
  await svc.list();
  const progress = app.next('models', (e) => (e.snapshot.models.find((m) => m.id === 'stories-slow')?.download?.bytes ?? 0) > 0);
  const running = svc.download('stories-slow');
  const seen = (await progress).snapshot.models.find((m) => m.id === 'stories-slow');
  assert.equal(seen?.state, 'downloading');
  assert.ok(seen?.download && seen.download.bytes > 0 && seen.download.bytes <= 200_000, JSON.stringify(seen?.download));
  assert.equal(seen?.download?.total, statSync(tinyModel).size);
  const stopped = app.next('models', (e) => e.snapshot.models.find((m) => m.id === 'stories-slow')?.state === 'partial');
  assert.equal(svc.cancelDownload('stories-slow'), true);
  await assert.rejects(running, /cancelled; what was downloaded is kept/);
  await stopped; // every view learns that the download stopped without asking
  const partial = (await svc.list()).models.find((m) => m.id === 'stories-slow')!;
  assert.equal(partial.state, 'partial');
  assert.ok(partial.bytesPresent > 0 && partial.bytesPresent <= 200_000, String(partial.bytesPresent));
  assert.equal(svc.cancelDownload('stories-slow'), false);
  slowReleased = true;
  await svc.download('stories-slow');
  assert.equal((await svc.list()).models.find((m) => m.id === 'stories-slow')?.state, 'verified');
  await svc.remove('stories-slow');
});

test('worker-side users share the service: handle() reuses one load and says so with an event; embedQuery embeds with the chosen embedding model', async () => {
  await svc.addLocal(tinyModel);
  const loadedEvent = app.next('models', (e) => e.snapshot.models.find((m) => m.path === tinyModel)?.state === 'loaded');
  const a = await svc.handle(tinyModel);
  const b = await svc.handle(`local:${tinyModel}`);
  assert.equal(a.id, b.id, 'one handle, not a second load');
  assert.equal((await svc.list()).models.find((m) => m.path === tinyModel)?.state, 'loaded');
  await loadedEvent; // a load by the chat or the embedder reaches the views like one from the Models view
  assert.equal(await svc.embedQuery('a story', new AbortController().signal), undefined, 'no embedding model chosen yet');
  svc.configure({ ...config, embeddingModel: tinyModel });
  const q = await svc.embedQuery('a story about a cat', new AbortController().signal);
  assert.ok(q);
  assert.equal(q.modelKey, tinyModelSha256);
  assert.equal(q.vector.length, 64);
  assert.ok(Math.abs(Math.hypot(...q.vector) - 1) < 1e-3, 'L2-normalized');
  await svc.unload(`local:${tinyModel}`);
  svc.configure(config);
  await svc.remove(`local:${tinyModel}`);
});
