// Answers search by meaning: with the chosen embedding model's vectors in the vault, the chat
// retrieves hybrid, and a note that shares no word with the question (findable only by its
// hand-made vector) becomes a source; with part of the vault embedded the answer says so. Without
// an embedding model the same question finds nothing. Real vault file, real engine, tiny model
// (its question vector is taken from the engine; the notes' vectors are made by hand around it).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ChatAskRequest } from '../../../src/app/chat/chatTypes';
import type { ModelsConfig } from '../../../src/app/models/modelsTypes';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import { Vault } from '../../../src/vault/vault';
import { retrievalNote } from '../../../src/views/common/retrievalNote';
import { composeTestApp, testModelsConfig, type TestApp } from '../../helpers/appGraph';
import { tempDir, tinyModel } from '../../helpers/paths';
import { randomVector, rng } from '../retrieval/helpers';

const tmp = tempDir('cv-chat-meaning-');
const notes = join(tmp.dir, 'notes');
const QUESTION = 'How were beacons maintained?';
let vault: Vault;
let app: TestApp;
let config: ModelsConfig;

before(async () => {
  mkdirSync(notes);
  writeFileSync(join(notes, 'lighthouse.md'), '# Keepers\n\nKeepers trimmed the wicks every night on the rocky coast.\n');
  writeFileSync(join(notes, 'garden.md'), '# Gardening\n\nTomatoes need sun and water.\n');
  writeFileSync(join(notes, 'kitchen.md'), '# Kitchen\n\nBread rises in a warm oven.\n');
  vault = Vault.open(join(tmp.dir, 'vault.db'));
  await vault.indexRoots([notes]);
  app = composeTestApp(vault.db);
  config = testModelsConfig(join(tmp.dir, 'models'), { chatModel: tinyModel, embeddingModel: tinyModel });
  app.services.models.configure(config);
  await app.services.models.addLocal(tinyModel);
  // The question's vector as the chosen embedding model makes it; the lighthouse note gets that
  // very direction, the garden note a random one, the kitchen note none (partial coverage).
  const chosen = await app.services.models.chosenEmbedding();
  assert.ok(chosen, 'the embedding model is chosen and verified');
  const q = (await chosen.engine.embed(await chosen.handle(), [QUESTION])).vectors[0]!;
  const hashOf = (path: string): string => String(vault.db.get<{ h: string }>('SELECT c.hash AS h FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.path = ?', [path])?.h);
  const store = new EmbeddingStore(vault.db);
  store.put(chosen.modelKey, [
    { chunkHash: hashOf('lighthouse.md'), vector: q },
    { chunkHash: hashOf('garden.md'), vector: randomVector(rng(5), q.length) },
  ]);
  store.setActiveModel(chosen.modelKey);
});

after(async () => {
  await app.dispose();
  vault.close();
  tmp.cleanup();
});

function request(): ChatAskRequest {
  return { conversationId: null, question: QUESTION, context: [], vaultOnly: true, model: { path: tinyModel, contextSize: 1024, threads: 1 }, maxAnswerTokens: 16, temperature: 0 };
}
const ctx = () => ({ signal: new AbortController().signal, emit: () => undefined });
const chat = () => app.services.chat;

test('with vectors of the chosen embedding model, the answer finds a note by meaning alone and says coverage is partial', { timeout: 120_000 }, async () => {
  const answer = await chat().ask(request(), ctx());
  assert.equal(answer.notFound, false, 'the vault held an answer');
  assert.ok(answer.sources.some((s) => s.path === 'lighthouse.md'), `sources: ${answer.sources.map((s) => s.path).join(', ')}`);
  assert.equal(answer.retrieval?.mode, 'hybrid');
  assert.equal(answer.retrieval?.embedded, 2);
  assert.equal(answer.retrieval?.total, 3);
  assert.match(retrievalNote(answer.retrieval) ?? '', /words and meaning, but only 66% of the notes have vectors yet \(2 of 3/);
  // The vectors were loaded once, into the worker's one cache (shared with hybrid search).
  assert.deepEqual(app.vectors.loaded().map((l) => l.count), [2]);
});

test('without an embedding model the same question is searched by words only and finds nothing', { timeout: 120_000 }, async () => {
  app.services.models.configure({ ...config, embeddingModel: '' });
  try {
    const answer = await chat().ask(request(), ctx());
    assert.equal(answer.retrieval?.mode, 'lexical');
    assert.equal(answer.notFound, true, 'no word of the question is in the vault');
  } finally {
    app.services.models.configure(config);
  }
});

test('an embedding model with no vectors yet: words only, and the answer says why', { timeout: 120_000 }, async () => {
  const store = new EmbeddingStore(vault.db);
  const key = (await app.services.models.chosenEmbedding())!.modelKey;
  store.deleteModel(key);
  const answer = await chat().ask(request(), ctx());
  assert.equal(answer.retrieval?.mode, 'lexical');
  assert.match(retrievalNote(answer.retrieval) ?? '', /words only: the embedding model has no vectors in this vault yet/);
});
