// Grounded answers end to end with the real tiny model (its text is nonsense; the mechanics —
// retrieval, token budget by its own tokenizer, streaming, citation checks, "not in the vault",
// selection, follow-ups — are real and asserted).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EngineClient, ModelHandle } from '../../../src/engine/client/engineClient';
import { BackfillJob } from '../../../src/app/embeddings/backfill';
import type { Embedder } from '../../../src/vault/embeddings/embedder';
import { EmbeddingStore } from '../../../src/vault/embeddings/embeddingStore';
import type { AnswerModel, PromptMessage } from '../../../src/app/ask/answerModel';
import { ask } from '../../../src/app/ask/ask';
import { engineAnswerModel, engineEmbedder } from '../../../src/app/engine/engineAdapters';
import { fitPrompt, TEMPLATE_TOKENS_FIXED, TEMPLATE_TOKENS_PER_MESSAGE } from '../../../src/app/ask/prompt';
import { Retriever } from '../../../src/vault/retrieval/retriever';
import { Vault } from '../../../src/vault/vault';
import { VectorIndexCache } from '../../../src/vault/vectors/vectorIndex';
import { tempDir, tinyModel } from '../../helpers/paths';
import { tinyEngine } from './helpers';

const NOTES: Record<string, string> = {
  'rust/ownership.md': '# Ownership\n\nEach value in Rust has an owner.\nThere can only be one owner at a time.\nWhen the owner goes out of scope, the value is dropped.\n\n## Moves\n\nAssigning a heap value to another variable moves ownership.\n',
  'rust/borrowing.md': '# References and Borrowing\n\nA reference borrows a value without taking ownership.\nAt any given time you can have one mutable reference or any number of immutable references.\n',
  'cooking/bread.md': '# Bread\n\nKnead the dough for ten minutes, let it rise for an hour, then bake at 220 degrees.\n',
  'travel/trains.md': '# Trains\n\nNight trains cross the Alps between Zurich and Vienna.\n',
  'shell/rmdir.md': '# rmdir\n\nRemove an empty directory.\n\nRemove a directory and the empty directories above it.\n',
  'shell/rm.md': '# rm\n\nRemove files.\n',
};

let t: { dir: string; cleanup: () => void };
let vault: Vault;
let engine: EngineClient;
let chatHandle: ModelHandle;
let embedder: Embedder;
let retriever: Retriever;

/** The real model, with its calls recorded. */
function recorded(model: AnswerModel): AnswerModel & { calls: PromptMessage[][] } {
  const calls: PromptMessage[][] = [];
  return {
    contextSize: model.contextSize,
    countTokens: (texts) => model.countTokens(texts),
    chat: (messages, opts) => {
      calls.push(messages);
      return model.chat(messages, opts);
    },
    calls,
  };
}

before(async () => {
  t = tempDir('cv-rag-');
  const root = join(t.dir, 'notes');
  for (const [p, text] of Object.entries(NOTES)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  vault = Vault.open(join(t.dir, 'vault.db'));
  await vault.indexRoots([root]);
  const e = await tinyEngine(vault.db);
  engine = e.engine;
  chatHandle = await engine.loadModel(tinyModel, { contextSize: 1024, threads: 1 });
  const embHandle = await engine.loadModel(tinyModel, { purpose: 'embed', threads: 1 });
  embedder = engineEmbedder(engine, embHandle, e.sha256);
  const store = new EmbeddingStore(vault.db);
  await new BackfillJob(store, embedder).run();
  retriever = new Retriever(vault.db, vault, new VectorIndexCache(vault.db), store);
});

after(async () => {
  await engine?.dispose();
  vault?.close();
  t?.cleanup();
});

test('the prompt fits the token budget measured with the model\'s own tokenizer, and the engine never cuts it', async () => {
  const model = engineAnswerModel(engine, chatHandle);
  assert.equal(model.contextSize, 1024);
  const long = 'Ownership moves the value and the old variable can no longer be used after the move happens. '.repeat(3);
  const candidates = Array.from({ length: 12 }, (_, i) => ({ root: '/r', path: `n${i}.md`, startLine: i * 10 + 1, endLine: i * 10 + 9, title: `Note ${i}`, heading: 'Moves', text: long }));
  const history: PromptMessage[] = Array.from({ length: 6 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `Earlier turn ${i}: ${long}` }));
  const fitted = await fitPrompt(model, { question: 'What happens on a move?', candidates, history, answerTokens: 64 });
  assert.equal(fitted.budget, 1024 - 64);
  assert.ok(fitted.tokens <= fitted.budget, `${fitted.tokens} <= ${fitted.budget}`);
  assert.ok(fitted.sources.length >= 1 && fitted.sources.length < candidates.length, 'some sources fit, not all');
  assert.ok(fitted.droppedSources > 0 && fitted.droppedHistory > 0);
  assert.deepEqual(fitted.sources.map((s) => s.n), fitted.sources.map((_, i) => i + 1), 'numbered 1..k');
  // Recount independently with the tokenizer: the same total.
  const counts = await model.countTokens(fitted.messages.map((m) => m.content));
  assert.equal(counts.reduce((a, b) => a + b, 0) + TEMPLATE_TOKENS_FIXED + TEMPLATE_TOKENS_PER_MESSAGE * fitted.messages.length, fitted.tokens);
  // The engine builds the real templated prompt: it fits without truncation.
  const gen = await model.chat(fitted.messages, { maxTokens: 16, temperature: 0 });
  assert.equal(gen.truncated, false);
  assert.ok(gen.promptTokens <= fitted.budget, `engine prompt ${gen.promptTokens} <= ${fitted.budget}`);
  // A question that cannot fit at all is refused clearly.
  await assert.rejects(fitPrompt(model, { question: long.repeat(12), candidates, answerTokens: 64 }), /does not fit/);
});

test('not in the vault: no relevant notes means no model call, notFound, and the closest notes', async () => {
  const model = recorded(engineAnswerModel(engine, chatHandle));
  for (const mode of ['lexical', 'hybrid'] as const) {
    const r = await ask({ retriever, model, embedder }, 'What is the capital of France?', { mode });
    assert.equal(r.notFound, true, mode);
    assert.equal(r.answer, '');
    assert.deepEqual(r.sources, []);
    assert.equal(model.calls.length, 0, 'the model is never asked');
  }
  // A word that matches weakly (one of three terms) is still not enough.
  const weak = await ask({ retriever, model, embedder }, 'Which bread flour does Vienna import?', { mode: 'lexical' });
  assert.equal(weak.notFound, true);
  assert.ok(weak.closest.length > 0, 'closest notes are offered');
  assert.equal(model.calls.length, 0);
});

test('a question in other words than the note\'s is answered from it: "delete a folder" from "remove a directory"', async () => {
  const model = recorded(engineAnswerModel(engine, chatHandle));
  const r = await ask({ retriever, model, embedder }, 'How do I delete a folder?', { mode: 'lexical', maxAnswerTokens: 16, temperature: 0 });
  assert.equal(r.notFound, false, 'the words search matched count as evidence');
  assert.equal(r.sources[0]?.path, 'shell/rmdir.md');
  assert.equal(model.calls.length, 1);
});

test('ask end to end (hybrid, tiny model): streamed text, numbered sources, citations only to given sources', async () => {
  const model = recorded(engineAnswerModel(engine, chatHandle));
  let streamed = '';
  const events: string[] = [];
  let announced: number[] = [];
  const r = await ask({ retriever, model, embedder }, 'What happens when the owner goes out of scope?', {
    maxAnswerTokens: 48,
    temperature: 0,
    onSources: (s) => {
      events.push('sources');
      announced = s.map((x) => x.n);
    },
    onText: (x) => {
      if (events.at(-1) !== 'text') events.push('text');
      streamed += x;
    },
  });
  assert.deepEqual(events, ['sources', 'text'], 'sources are announced once, before the answer streams');
  assert.deepEqual(announced, r.sources.map((s) => s.n));
  assert.ok(r.generation !== null && (r.generation.tokens ?? 0) > 0);
  assert.equal(r.notFound, false);
  assert.equal(r.retrieval.mode, 'hybrid');
  assert.equal(r.retrieval.partial, false);
  assert.equal(model.calls.length, 1);
  assert.ok(r.sources.length >= 1);
  assert.equal(r.sources[0]!.path, 'rust/ownership.md');
  assert.deepEqual(r.sources.map((s) => s.n), r.sources.map((_, i) => i + 1));
  assert.ok(r.sources.every((s) => s.startLine >= 1 && s.endLine >= s.startLine && s.text.length > 0));
  // The prompt holds the numbered sources with path:lines and the question.
  const user = model.calls[0]!.at(-1)!.content;
  assert.match(user, /\[1\] rust\/ownership\.md:\d+-\d+/);
  assert.match(user, /Question: What happens when the owner goes out of scope\?/);
  assert.match(model.calls[0]![0]!.content, /ONLY the numbered sources/);
  assert.equal(streamed, r.answer, 'the stream is the answer');
  assert.ok(r.answer.length > 0);
  const given = new Set(r.sources.map((s) => s.n));
  assert.ok(r.citations.every((c) => given.has(c.n)));
  assert.equal(r.uncited, r.citations.length === 0);
  assert.ok(r.promptTokens > 0 && r.promptTokens <= r.budget);
  assert.ok(r.timings.firstTokenMs !== null && r.timings.firstTokenMs >= r.timings.promptMs);
});

test('ask about a selection: the selection is source 1, related notes follow; follow-ups carry the history', async () => {
  const model = recorded(engineAnswerModel(engine, chatHandle));
  const selection = { path: 'rust/borrowing.md', startLine: 3, endLine: 4, text: 'A reference borrows a value without taking ownership.\nAt any given time you can have one mutable reference or any number of immutable references.' };
  const r = await ask({ retriever, model, embedder }, 'Explain this', { selection, maxAnswerTokens: 32, temperature: 0 });
  assert.equal(r.notFound, false);
  assert.deepEqual([r.sources[0]!.path, r.sources[0]!.startLine, r.sources[0]!.endLine], ['rust/borrowing.md', 3, 4]);
  assert.ok(r.sources.slice(1).some((s) => s.path === 'rust/ownership.md'), `related notes from elsewhere: ${JSON.stringify(r.sources.map((s) => [s.path, s.startLine]))} ${r.budget} ${r.promptTokens}`);
  assert.ok(!r.sources.slice(1).some((s) => s.path === 'rust/borrowing.md' && s.startLine <= 4 && s.endLine >= 3), 'the selected lines are not repeated');
  assert.match(model.calls[0]!.at(-1)!.content, /about the selected text, source \[1\]/);

  const history: PromptMessage[] = [
    { role: 'user', content: 'What is ownership?' },
    { role: 'assistant', content: 'Each value has an owner [1].' },
  ];
  const f = await ask({ retriever, model, embedder }, 'And who owns a value after a move?', { history, maxAnswerTokens: 32, temperature: 0 });
  assert.equal(f.notFound, false);
  const sent = model.calls.at(-1)!;
  assert.deepEqual(sent.slice(1, 3), history, 'history goes between the instruction and the new question');
});
