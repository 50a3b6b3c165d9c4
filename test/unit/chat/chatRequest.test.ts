// What a chat question carries reaches the engine, and nothing more is read: its sampling
// settings are read back from the engine's own report (the sampling of the last generation on the
// model), and a file named as context without its text is refused, never read from disk. Real
// engine child process, real tiny model, real vault file, in the object graph the worker builds.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EngineClient } from '../../../src/engine/client/engineClient';
import { Vault } from '../../../src/vault/vault';
import { composeTestApp, testModelsConfig, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';

const tmp = tempDir('cv-chat-request-');
const notes = join(tmp.dir, 'notes');
let vault: Vault;
let app: TestApp;
let engine: EngineClient;
let chat: TestApp['services']['chat'];

before(async () => {
  mkdirSync(notes);
  writeFileSync(join(notes, 'zorblax.md'), '# Zorblax rules\n\nThe zorblax checker enforces that every zorblax value has exactly one owner.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  app = composeTestApp(vault.db, { engine: (records) => (engine = new EngineClient({ records })) });
  app.services.models.configure(testModelsConfig(join(tmp.dir, 'models')));
  await app.services.models.addLocal(tinyModel, 'chat');
  chat = app.services.chat;
});

after(async () => {
  await app.dispose();
  vault.close();
  tmp.cleanup();
});

test('temperature, top-p, top-k and repeat penalty of a question are what the engine generated with', { timeout: 60_000 }, async () => {
  const ctx = { signal: new AbortController().signal, emit: () => undefined };
  const answer = await chat.ask({
    conversationId: null, question: 'What does the zorblax checker enforce?', context: [], vaultOnly: true,
    model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 16,
    temperature: 0.35, topP: 0.42, topK: 9, repeatPenalty: 1.25,
  }, ctx);
  assert.equal(answer.status, 'complete');
  const report = await engine.memory();
  const m = report.models.find((x) => x.file === tinyModel);
  assert.ok(m?.lastSampling, 'the engine reports the sampling of its last generation');
  assert.equal(m.lastSampling.temperature, 0.35);
  assert.equal(m.lastSampling.topP, 0.42);
  assert.equal(m.lastSampling.topK, 9);
  assert.equal(m.lastSampling.repeatPenalty, 1.25);
  assert.equal(m.lastSampling.maxTokens, 16);
});

test('a file named as context must come with its text (the host reads it): the worker reads no file a message names', { timeout: 60_000 }, async () => {
  const ctx = { signal: new AbortController().signal, emit: () => undefined };
  const before = chat.listConversations().length;
  await assert.rejects(chat.ask({
    conversationId: null, question: 'What is in this file?', context: [{ kind: 'file', root: '/', path: 'etc/passwd', label: 'passwd' }], vaultOnly: true,
    model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 8, temperature: 0,
  }, ctx), /etc\/passwd came without its text/);
  // The question is stored (it was asked), the answer as the error it was: nothing from the file.
  const conv = chat.getConversation(chat.listConversations()[0]!.id)!;
  assert.equal(chat.listConversations().length, before + 1);
  assert.equal(conv.messages.at(-1)?.status, 'error');
  assert.equal(conv.messages.at(-1)?.content, '');
});
