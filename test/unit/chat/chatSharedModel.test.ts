// In the extension the chat, the Models view and the embedder use one models service: a model the
// view loaded answers the chat without a second copy in the engine, Unload in the view frees what
// the chat used, and loads asked for at the same moment share one. Real vault file, real tiny model,
// real engine process (its own memory report is what is counted).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import type { ChatAskRequest, ChatEvent } from '../../../src/app/chat/chatTypes';
import { ModelRecords } from '../../../src/app/models/modelRecords';
import { Vault } from '../../../src/vault/vault';
import { composeTestApp, testModelsConfig, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';

const tmp = tempDir('cv-chat-shared-');
const notes = join(tmp.dir, 'notes');
const id = `local:${tinyModel}`;
let vault: Vault;
let app: TestApp;
let svc: TestApp['services']['models'];
let engine: EngineClient;

before(async () => {
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), '# Zorblax rules\n\nThe zorblax checker enforces that every zorblax value has exactly one owner.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  await addLocalModel(new ModelRecords(vault.db), tinyModel, { role: 'chat' });
  // The worker's own object graph; the engine client it builds is kept here to read its memory report.
  app = composeTestApp(vault.db, { engine: (records) => (engine = new EngineClient({ records })) });
  svc = app.services.models;
  svc.configure(testModelsConfig(join(tmp.dir, 'models'), { contextSize: 512 }));
});

after(async () => {
  await app.dispose();
  vault.close();
  tmp.cleanup();
});

/** How many copies of the tiny model the engine process holds, by its own report. */
async function copiesInEngine(): Promise<number> {
  return (await engine.memory()).models.filter((m) => m.file === tinyModel).length;
}

function ask(): Promise<{ status: string }> {
  const req: ChatAskRequest = { conversationId: null, question: 'What does the zorblax checker enforce?', context: [], vaultOnly: true, model: { path: tinyModel, contextSize: 512, threads: 1 }, maxAnswerTokens: 16, temperature: 0 };
  return app.services.chat.ask(req, { signal: new AbortController().signal, emit: (_e: ChatEvent) => undefined });
}

test('a model loaded in the Models view answers the chat without a second copy; Unload frees it', { timeout: 90_000 }, async () => {
  assert.equal((await svc.load(id)).state, 'loaded');
  assert.equal(await copiesInEngine(), 1);
  assert.equal((await ask()).status, 'complete');
  assert.equal(await copiesInEngine(), 1, 'the chat used the loaded model instead of loading its own');

  assert.equal(await svc.unload(id), true);
  assert.equal(await copiesInEngine(), 0, 'Unload in the view leaves no copy the chat had loaded');
  assert.equal((await svc.list()).models.find((m) => m.id === id)?.state, 'verified');
});

test('a chat with nothing loaded loads through the service, so the view shows it loaded and can unload it', { timeout: 90_000 }, async () => {
  assert.equal((await ask()).status, 'complete');
  assert.equal((await svc.list()).models.find((m) => m.id === id)?.state, 'loaded');
  assert.equal(await copiesInEngine(), 1);
  assert.equal(await svc.unload(id), true);
  assert.equal(await copiesInEngine(), 0);
});

test('loads asked for at the same moment share one; embedding and generation each keep their own handle', { timeout: 90_000 }, async () => {
  const [viaView, viaChat] = await Promise.all([svc.load(id).then(() => svc.handle(tinyModel, 'generate')), svc.handle(tinyModel, 'generate')]);
  assert.equal(viaView.id, viaChat.id);
  assert.equal(await copiesInEngine(), 1);

  // The embedder asks for the same file to embed: a second context is needed, and the chat's handle
  // stays loaded (it is not unloaded from under a generation).
  const embed = await svc.handle(tinyModel, 'embed');
  assert.notEqual(embed.id, viaChat.id);
  assert.equal(await copiesInEngine(), 2);
  assert.equal((await svc.handle(tinyModel, 'generate')).id, viaChat.id, 'the generation handle is still the same');
  assert.equal(await svc.unload(id), true);
  assert.equal(await copiesInEngine(), 0);
});
