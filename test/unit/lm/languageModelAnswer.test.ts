// The @vault participant's answers with an editor model go through portAnswerModel(): the sources the
// vault worker gathered are fitted to the model's input limit with its own token counts, streamed,
// and their citations checked by answerFromSources(), the second half of the vault's ask(). Here the
// port is backed by the real tiny model through the engine (as a LanguageModelChat is in the editor):
// its text is nonsense, the mechanics are real.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EngineClient, ModelHandle } from '../../../src/engine/client/engineClient';
import { portAnswerModel, type ChatModelPort } from '../../../src/lm/languageModelAnswer';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import type { PromptMessage } from '../../../src/app/ask/answerModel';
import { answerFromSources, ask, gatherSources } from '../../../src/app/ask/ask';
import { Retriever } from '../../../src/vault/retrieval/retriever';
import { Vault } from '../../../src/vault/vault';
import { VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { tempDir, tinyModel } from '../../helpers/paths';
import { tinyEngine } from '../retrieval/helpers';

let t: { dir: string; cleanup: () => void };
let vault: Vault;
let engine: EngineClient;
let handle: ModelHandle;
let retriever: Retriever;

before(async () => {
  t = tempDir('cv-lm-');
  const root = join(t.dir, 'notes');
  mkdirSync(root);
  writeFileSync(join(root, 'ownership.md'), '# Ownership\n\nEach value has an owner.\nWhen the owner goes out of scope, the value is dropped.\n');
  for (let i = 0; i < 6; i++) {
    writeFileSync(join(root, `scope-${i}.md`), `# Scope ${i}\n\nThe owner of value ${i} goes out of scope at the end of block ${i}, and the value is dropped there.\n`);
  }
  writeFileSync(join(root, 'bread.md'), '# Bread\n\nKnead the dough and let it rise.\n');
  vault = Vault.open(join(t.dir, 'vault.db'));
  await vault.indexRoots([root]);
  engine = (await tinyEngine(vault.db)).engine;
  handle = await engine.loadModel(tinyModel, { contextSize: 1024, threads: 1 });
  retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), new EmbeddingStore(vault.db));
});

after(async () => {
  await engine?.dispose();
  vault?.close();
  t?.cleanup();
});

/** The tiny model behind the port an editor model fills, with what it was sent recorded. */
function tinyPort(maxInputTokens: number): ChatModelPort & { sent: PromptMessage[][] } {
  const sent: PromptMessage[][] = [];
  return {
    maxInputTokens,
    sent,
    countTokens: async (text) => (await engine.countTokens(handle, [text]))[0]!,
    async *stream(messages, signal) {
      sent.push(messages);
      yield* engine.chat(handle, messages, { maxTokens: 40, temperature: 0, seed: 1, signal });
    },
  };
}

test('an editor model answers the gathered sources: fitted to its input limit by its own token counts, citations checked', async () => {
  const g = await gatherSources({ retriever }, 'What happens when the owner goes out of scope?');
  assert.equal(g.notFound, false);
  assert.ok(g.candidates.length >= 5);
  const port = tinyPort(900);
  let streamed = '';
  const r = await answerFromSources(portAnswerModel(port, 64), g, { maxAnswerTokens: 64, onText: (s) => { streamed += s; } });
  assert.equal(r.notFound, false);
  assert.ok(r.answer.length > 0);
  assert.equal(streamed, r.answer, 'the streamed text is the answer');
  assert.ok(r.citations.every((c) => r.sources.some((s) => s.n === c.n)));
  assert.ok(r.budget <= 900, `budget ${r.budget} is over the model's input limit`);
  const sent = port.sent[0]!;
  const tokens = (await Promise.all(sent.map((m) => port.countTokens(m.content)))).reduce((a, b) => a + b, 0);
  assert.ok(tokens <= 900, `${tokens} prompt tokens sent to a model that takes 900`);
  assert.equal(r.promptTokens, tokens);
  // The same first half and prompt as the vault's own ask() with the engine.
  const own = await ask({ retriever, model: portAnswerModel(tinyPort(900), 64) }, 'What happens when the owner goes out of scope?', { maxAnswerTokens: 64 });
  assert.deepEqual(own.sources.map((s) => `${s.path}:${s.startLine}`), r.sources.map((s) => `${s.path}:${s.startLine}`));
});

test('a smaller input limit gives fewer sources, never an overfull prompt', async () => {
  const g = await gatherSources({ retriever }, 'What happens when the owner goes out of scope?');
  const big = await answerFromSources(portAnswerModel(tinyPort(900), 32), g, { maxAnswerTokens: 32 });
  const small = await answerFromSources(portAnswerModel(tinyPort(400), 32), g, { maxAnswerTokens: 32 });
  assert.ok(small.sources.length >= 1);
  assert.ok(small.sources.length < big.sources.length, `${small.sources.length} sources at 400 tokens, ${big.sources.length} at 900`);
  assert.ok(small.budget <= 400);
});

test('aborting the answer keeps what streamed and reports it cancelled', async () => {
  const g = await gatherSources({ retriever }, 'What happens when the owner goes out of scope?');
  const abort = new AbortController();
  let pieces = 0;
  const r = await answerFromSources(portAnswerModel(tinyPort(900), 64), g, {
    maxAnswerTokens: 64,
    signal: abort.signal,
    onText: () => { if (++pieces === 1) abort.abort(); },
  });
  assert.equal(r.cancelled, true);
  assert.equal(r.stopReason, 'cancelled');
  assert.ok(pieces >= 1);
});

test('a question the vault cannot answer never reaches the editor model', async () => {
  const g = await gatherSources({ retriever }, 'What is the capital of France?');
  assert.equal(g.notFound, true);
  const port = tinyPort(900);
  const r = await answerFromSources(portAnswerModel(port, 64), g);
  assert.equal(r.notFound, true);
  assert.equal(port.sent.length, 0);
  assert.ok(r.closest.every((c) => c.root.length > 0), 'the closest notes name their folder');
});
