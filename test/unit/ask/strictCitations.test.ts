// Strict citations with the real tiny model (its text is nonsense and it never cites on its own):
// under the grammar every answer cites only the sources it was given and every paragraph ends with
// a citation; prompt mode sends no grammar and is what it was; the support check on hand-made
// answer/source pairs; the CLI maps strict citations to path:startLine-endLine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EngineClient, ModelHandle } from '../../../src/engine/client/engineClient';
import { EngineError } from '../../../src/engine/client/engineError';
import type { AnswerModel } from '../../../src/app/ask/answerModel';
import { ask, type AskResult } from '../../../src/app/ask/ask';
import { citedNumbers } from '../../../src/app/ask/citationGrammar';
import { engineAnswerModel, engineEmbedder } from '../../../src/app/engine/engineAdapters';
import { citationGrammar, MAX_SEGMENT_CHARS, uncitedTail } from '../../../src/app/ask/strictCitations';
import { citedClaims, MAX_SENTENCE_CHARS, MIN_VECTOR_SUPPORT, supportOf, wordSupport } from '../../../src/app/ask/support';
import type { Retriever } from '../../../src/vault/retrieval/retriever';
import { tinyModel } from '../../helpers/paths';
import { cliVault, runCli } from '../../helpers/runCli';
import { tinyAnswerVault, type TinyAnswerVault } from '../retrieval/helpers';

const NOTES: Record<string, string> = {
  'rust/ownership.md': '# Ownership\n\nEach value in Rust has an owner.\nThere can only be one owner at a time.\nWhen the owner goes out of scope, the value is dropped.\n',
  'rust/borrowing.md': '# References and Borrowing\n\nA reference borrows a value without taking ownership.\nYou can have one mutable reference or any number of immutable references.\n',
  'rust/moves.md': '# Moves\n\nAssigning a heap value to another variable moves ownership; the old owner can no longer be used.\n',
};

let engine: EngineClient;
let handle: ModelHandle;
let retriever: Retriever;
let fixture: TinyAnswerVault;

/** The real model, with the grammar of each call recorded. */
function recorded(model: AnswerModel): AnswerModel & { grammars: (string | undefined)[] } {
  const grammars: (string | undefined)[] = [];
  return { contextSize: model.contextSize, countTokens: (x) => model.countTokens(x), chat: (m, o) => { grammars.push(o.grammar); return model.chat(m, o); }, grammars };
}

before(async () => {
  fixture = await tinyAnswerVault(NOTES);
  ({ engine, handle, retriever } = fixture);
});

after(async () => {
  await fixture?.close();
});

const PARAGRAPH_ENDS_CITED = /\[\d{1,3}\]$/;

function assertStrict(r: AskResult, seed: number): void {
  const given = new Set(r.sources.map((s) => s.n));
  assert.ok(r.sources.length > 0, `seed ${seed}: sources were given`);
  assert.deepEqual(r.invalidCitations, [], `seed ${seed}: no invented citation`);
  for (const n of citedNumbers(r.answer)) assert.ok(given.has(n), `seed ${seed}: [${n}] is a given source`);
  for (const c of r.citations) {
    const s = r.sources.find((x) => x.n === c.n)!;
    assert.deepEqual([c.path, c.startLine, c.endLine], [s.path, s.startLine, s.endLine], `seed ${seed}: [${c.n}] maps to its source's lines`);
    assert.equal(typeof c.support.supported, 'boolean');
  }
  const paragraphs = r.answer.split('\n\n');
  // A generation cut by maxTokens may stop inside its last paragraph: that part is kept, uncited.
  const finished = r.stopReason === 'maxTokens' ? paragraphs.slice(0, -1) : paragraphs;
  for (const p of finished) assert.match(p, PARAGRAPH_ENDS_CITED, `seed ${seed}: paragraph ends with a citation: ${JSON.stringify(p.slice(-60))}`);
  if (r.stopReason !== 'maxTokens') assert.equal(r.uncitedTail, null, `seed ${seed}: a finished answer has no uncited end`);
  // The grammar makes the model cite at least every MAX_SEGMENT_CHARS characters.
  for (const p of paragraphs) {
    for (const piece of p.split(/\[\d{1,3}\]/)) assert.ok(piece.length <= MAX_SEGMENT_CHARS + 1, `seed ${seed}: uncited run of ${piece.length} characters`);
  }
}

test('strict: with 20 seeds, every answer cites only given sources and each paragraph ends with a citation', { timeout: 600_000 }, async () => {
  const model = recorded(engineAnswerModel(engine, handle));
  let cited = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const r = await ask({ retriever, model }, 'Who owns a value and when is it dropped?', { citations: 'strict', seed, temperature: 0.8, maxAnswerTokens: 160 });
    assert.equal(r.citationMode, 'strict');
    assertStrict(r, seed);
    if (r.citations.length > 0) cited++;
  }
  assert.equal(model.grammars.length, 20);
  for (const g of model.grammars) assert.equal(g, citationGrammar(3));
  // 160 tokens of this model are well over MAX_SEGMENT_CHARS characters: every answer had to cite.
  assert.equal(cited, 20);
});

test('prompt: no grammar is sent and the tiny model, left to the instruction, cites nothing (as before)', { timeout: 300_000 }, async () => {
  const model = recorded(engineAnswerModel(engine, handle));
  for (let seed = 1; seed <= 5; seed++) {
    const r = await ask({ retriever, model }, 'Who owns a value and when is it dropped?', { citations: 'prompt', seed, temperature: 0.8, maxAnswerTokens: 160 });
    assert.equal(r.citationMode, 'prompt');
    assert.equal(r.citations.length, 0, `seed ${seed}: ${r.answer}`);
    assert.equal(r.uncited, true);
  }
  assert.deepEqual(model.grammars, [undefined, undefined, undefined, undefined, undefined]);
});

test('a cut generation keeps its partial paragraph, uncited, and says where it stopped', { timeout: 120_000 }, async () => {
  const r = await ask({ retriever, model: engineAnswerModel(engine, handle) }, 'Who owns a value?', { citations: 'strict', seed: 3, temperature: 0.8, maxAnswerTokens: 16 });
  assert.equal(r.stopReason, 'maxTokens');
  assert.ok(r.answer.length > 0, 'the partial answer is returned');
  assert.equal(r.uncitedTail, r.answer, '16 tokens are too few to reach a citation: all of it is the uncited tail');
  assert.deepEqual(r.citations, []);
});

test('the engine refuses an invalid grammar with bad-request, and the model stays usable', { timeout: 120_000 }, async () => {
  await assert.rejects(engine.chat(handle, [{ role: 'user', content: 'Hi' }], { maxTokens: 4, grammar: 'root ::= ( "a"' }).result, (e: unknown) => e instanceof EngineError && e.code === 'bad-request' && /grammar/i.test(e.message));
  const ok = await engine.chat(handle, [{ role: 'user', content: 'Hi' }], { maxTokens: 8, seed: 1, grammar: 'root ::= "yes" | "no"' }).result;
  assert.match(ok.text, /^(yes|no)$/);
});

test('the grammar is built from the number of sources', () => {
  assert.match(citationGrammar(3), /^source ::= "1" \| "2" \| "3"$/m);
  assert.match(citationGrammar(1), /^source ::= "1"$/m);
  assert.throws(() => citationGrammar(0), RangeError);
  assert.equal(uncitedTail('A b [1].\n\nC d [2]'), null);
  assert.equal(uncitedTail('A b [1].\n\nC d'), '.\n\nC d');
  // Inline code is text, but no paragraph (or segment) opens with a backtick or tilde: a fence would hide its citations.
  assert.match(citationGrammar(2), /^text ::= " "\? \[\^\\n\\r\\\[\\\]`~ \\t\] \(\[\^\\n\\r\\\[\\\]\]\{0,\d+\}/m);
});

const OWNERSHIP = 'Each value in Rust has an owner.\nThere can only be one owner at a time.\nWhen the owner goes out of scope, the value is dropped.';
const BREAD = 'Knead the dough for ten minutes, let it rise for an hour, then bake at 220 degrees.';

test('support: a sentence its source says scores high; one it does not say is flagged', async () => {
  const answer = 'Every value has one owner at a time [1]. Bread is baked at 220 degrees for an hour [1].\n\nThe dough rises for an hour [2].';
  assert.deepEqual(citedClaims(answer).map((c) => c.cites), [[1], [1], [2]]);
  assert.equal(citedClaims(answer)[1]!.sentence, 'Bread is baked at 220 degrees for an hour');
  assert.ok(wordSupport('Every value has one owner at a time', OWNERSHIP)! >= 0.75);
  assert.ok(wordSupport('Bread is baked at 220 degrees for an hour', OWNERSHIP)! <= 0.2);
  const s = await supportOf(answer, new Map([[1, OWNERSHIP], [2, BREAD]]));
  // Source 1 is cited by a supported and an unsupported sentence: it is judged by the weakest.
  assert.equal(s.get(1)!.supported, false);
  assert.equal(s.get(1)!.sentence, 'Bread is baked at 220 degrees for an hour');
  assert.equal(s.get(2)!.supported, true);
  assert.ok(s.get(2)!.score! >= 0.5);
  assert.equal(s.get(2)!.similarity, null, 'no embedder: words only');
  // Other languages: content words by the same segmentation and stop-word lists as search.
  assert.ok(wordSupport('所有者が範囲外になると値は破棄されます', '所有者がスコープ外になると、値は破棄されます。')! >= 0.5);
  // A long claim is scored whole but kept cut (it travels to the chat view).
  const long = `${'owner value scope '.repeat(60)}dropped`;
  const l = (await supportOf(`${long} [1]`, new Map([[1, OWNERSHIP]]))).get(1)!;
  assert.equal(l.sentence.length, MAX_SENTENCE_CHARS);
  assert.equal(l.supported, true);
  // A claim with no content words is not judged.
  assert.equal(wordSupport('It is.', OWNERSHIP), null);
});

test('support with an embedding model: the cosine of the sentence and the cited text is added; a failing embedder leaves words alone', { timeout: 120_000 }, async () => {
  const embHandle = await engine.loadModel(tinyModel, { purpose: 'embed', threads: 1 });
  const embedder = engineEmbedder(engine, embHandle, 'stories260K');
  const answer = 'Every value has one owner at a time [1]. Bread is baked at 220 degrees for an hour [1].';
  const s = await supportOf(answer, new Map([[1, OWNERSHIP]]), embedder);
  const weakest = s.get(1)!;
  assert.equal(weakest.sentence, 'Bread is baked at 220 degrees for an hour');
  const [a, b] = (await embedder.embed([weakest.sentence, OWNERSHIP])).map((r) => Array.from(r.vector));
  const cos = a!.reduce((sum, x, i) => sum + x * b![i]!, 0) / Math.sqrt(a!.reduce((q, x) => q + x * x, 0) * b!.reduce((q, x) => q + x * x, 0));
  assert.ok(weakest.similarity !== null && Math.abs(weakest.similarity - cos) < 1e-4, `similarity ${weakest.similarity} vs ${cos}`);
  assert.equal(weakest.supported, weakest.similarity >= MIN_VECTOR_SUPPORT, 'words fail it; the vectors decide');
  const failing = { ...embedder, embed: async () => { throw new Error('unloaded'); } };
  const w = await supportOf(answer, new Map([[1, OWNERSHIP]]), failing);
  assert.equal(w.get(1)!.similarity, null);
  assert.equal(w.get(1)!.supported, false);
});

test('ask --citations strict --json: citations valid, mapped to path:startLine-endLine, with support; a bad mode is a usage error', { timeout: 300_000 }, async () => {
  const { db, env, cleanup } = await cliVault();
  try {
    const a = await runCli(['ask', 'What happens when the owner goes out of scope?', '--db', db, '--model', tinyModel, '--json', '--citations', 'strict', '--max-tokens', '160', '--seed', '4', '--context-size', '1024'], env);
    assert.equal(a.code, 0, a.err);
    const ans = JSON.parse(a.out) as { answer: string; citationMode: string; citations: { n: number; path: string; startLine: number; endLine: number; support: { score: number | null; supported: boolean } }[]; sources: { n: number; path: string; startLine: number; endLine: number }[] };
    assert.equal(ans.citationMode, 'strict');
    assert.ok(ans.citations.length > 0, ans.answer);
    for (const c of ans.citations) {
      const s = ans.sources.find((x) => x.n === c.n)!;
      assert.deepEqual([c.path, c.startLine, c.endLine], [s.path, s.startLine, s.endLine]);
      assert.equal(typeof c.support.supported, 'boolean');
    }
    const plain = await runCli(['ask', 'What happens when the owner goes out of scope?', '--db', db, '--model', tinyModel, '--citations', 'strict', '--max-tokens', '160', '--seed', '4', '--context-size', '1024'], env);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /\[\d\][*?] \S+\.md:\d+-\d+.*\(support \d\.\d\d\)/);
    const bad = await runCli(['ask', 'x', '--db', db, '--model', tinyModel, '--citations', 'always'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--citations must be strict or prompt/);
  } finally {
    cleanup();
  }
});
