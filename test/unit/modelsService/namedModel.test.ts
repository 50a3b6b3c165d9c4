// A model file named in settings (codexVault.chatModel / embeddingModel) and never added is listed
// with its role, is the one verified on first use, and its verification can be cancelled: real
// files (the tiny model, and a large sparse GGUF-looking file that takes a while to hash).
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chooseModel, verifiedOnFirstUse } from '../../../src/app/models/chooseModel';
import { migrate } from '../../../src/vault/db/migrations';
import { SqliteDatabase } from '../../../src/vault/db/sqlite';
import { composeTestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';

const t = tempDir('cv-named-');
const db = SqliteDatabase.open(join(t.dir, 'vault.db'));
migrate(db);
const app = composeTestApp(db);
const svc = app.services.models;
after(async () => {
  await app.dispose();
  db.close();
  t.cleanup();
});

test('a chat model named by path is listed, chosen for verification on first use, and usable once verified', async () => {
  const chatFile = join(t.dir, 'my-chat.gguf');
  copyFileSync(tinyModel, chatFile);
  await svc.configure({ modelsDir: join(t.dir, 'models'), contextSize: 512, gpu: 'cpu', idleUnloadMs: 0, lowMemoryWatermarkBytes: 0, chatModel: chatFile, embeddingModel: '' });
  let models = (await svc.list()).models;
  const named = models.find((m) => m.path === chatFile);
  assert.ok(named, 'the file named in settings is listed');
  assert.equal(named.state, 'unverified');
  assert.equal(named.role, 'chat');
  assert.equal(chooseModel(models, 'chat', chatFile), null, 'not usable before it is verified');
  assert.equal(verifiedOnFirstUse(models, 'chat', chatFile)?.path, chatFile);
  assert.equal(verifiedOnFirstUse(models, 'embedding', chatFile), null, 'named as the chat model, not the embedding one');
  await svc.addLocal(chatFile, 'chat');
  models = (await svc.list()).models;
  assert.equal(chooseModel(models, 'chat', chatFile)?.path, chatFile);
  assert.equal(verifiedOnFirstUse(models, 'chat', chatFile), null, 'verified once, for good');
});

test('verifying a named file can be cancelled, and leaves it unverified', async () => {
  // 3 GB, sparse: GGUF magic, then zeros that take seconds to hash.
  const big = join(t.dir, 'big.gguf');
  const fd = openSync(big, 'w');
  writeSync(fd, Buffer.from('GGUF'));
  ftruncateSync(fd, 3 * 1024 ** 3);
  closeSync(fd);
  await svc.configure({ modelsDir: join(t.dir, 'models'), contextSize: 512, gpu: 'cpu', idleUnloadMs: 0, lowMemoryWatermarkBytes: 0, chatModel: big, embeddingModel: '' });
  const adding = svc.addLocal(big, 'chat');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(svc.cancelVerify(big), true);
  await assert.rejects(adding, /Verifying big\.gguf was cancelled/);
  const item = (await svc.list()).models.find((m) => m.path === big);
  assert.equal(item?.state, 'unverified');
  assert.equal(svc.cancelVerify(big), false, 'nothing left to cancel');
});
