// The engine process end to end with the real tiny model: load and metadata, sampling,
// streaming, cancellation, stop strings, max tokens, concurrency, chat, truncation,
// embeddings, tokenizer access and memory figures.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ModelHandle } from '../../../src/engine/client/engineClient';
import { verifyModelFile } from '../../../src/engine/verify/verifyModelFile';
import { tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { isAlive, openFixture, type Fixture } from './engineFixtures';

const STORY_42 = ', there was a little girl named Lily. She had a stick that she loved to fly high in her yard. One day, she saw a';

describe('engine with the tiny model', () => {
  let fx: Fixture;
  let model: ModelHandle;

  before(async () => {
    fx = await openFixture({}, {}, false);
    // Loaded as a verified manifest download (the other path through the gate than addLocalModel).
    const v = await verifyModelFile(fx.records, tinyModel, { sha256: tinyModelSha256, manifestId: 'stories260K' });
    assert.equal(v.ok, true);
    model = await fx.engine.loadModel(tinyModel, { contextSize: 512, sequences: 2 });
  });

  after(async () => {
    const pid = fx.engine.pid;
    await fx.close();
    if (pid !== undefined) assert.equal(isAlive(pid), false, 'the engine process is gone after dispose');
  });

  it('loads the model and reports its metadata', () => {
    const i = model.info;
    assert.equal(i.file, tinyModel);
    assert.equal(i.purpose, 'generate');
    assert.equal(i.contextSize, 512);
    assert.equal(i.trainContextSize, 2048);
    assert.equal(i.embeddingDimension, 64);
    assert.equal(i.vocabularySize, 512);
    assert.equal(i.chatWrapper, 'Llama2Chat', 'no template in the file: node-llama-cpp falls back to Llama2Chat');
    assert.equal(i.gpu, false);
    assert.equal(i.threads, 1);
    assert.equal(i.fileSize, statSync(tinyModel).size);
    assert.ok(i.estimate.contextBytes > 0 && i.estimate.modelBytes > 0);
  });

  it('is deterministic for a fixed seed, and matches the known story', async () => {
    const a = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 42 }).result;
    const b = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 42 }).result;
    assert.equal(a.text, STORY_42);
    assert.equal(b.text, a.text);
    assert.equal(a.tokens, 40);
    assert.equal(a.stopReason, 'maxTokens');
    const c = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 7 }).result;
    assert.notEqual(c.text, a.text, 'another seed gives another story');
  });

  it('streams every chunk in order: the concatenated stream equals the final text', async () => {
    const viaCallback: string[] = [];
    const s = fx.engine.generate(model, 'The dog', { maxTokens: 200, temperature: 0.8, seed: 3, onText: (t) => viaCallback.push(t) });
    const viaIterator: string[] = [];
    for await (const chunk of s) viaIterator.push(chunk);
    const r = await s.result;
    assert.ok(viaIterator.length >= 2, `expected several chunks, got ${viaIterator.length}`);
    assert.deepEqual(viaIterator, viaCallback);
    assert.equal(viaIterator.join(''), r.text);
    assert.ok(r.timeToFirstTokenMs !== null && r.timeToFirstTokenMs >= 0);
    assert.ok(r.tokensPerSecond > 0);
    assert.equal(r.promptTokens > 0, true);
  });

  it('cancels mid-stream, keeps the text so far, and frees the sequence at once', async () => {
    const ac = new AbortController();
    let streamed = '';
    const s = fx.engine.generate(model, 'Once upon a time', {
      maxTokens: 450,
      temperature: 0.8,
      seed: 11,
      signal: ac.signal,
      onText: (t) => {
        streamed += t;
        if (!ac.signal.aborted) ac.abort();
      },
    });
    const r = await s.result;
    assert.equal(r.stopReason, 'cancelled');
    assert.ok(r.text.length > 0, 'the text produced before the cancel is kept');
    assert.ok(r.tokens < 450, `stopped early (${r.tokens} tokens)`);
    assert.equal(r.text, streamed);
    // Both sequences are free again: two requests run at once without waiting on the cancelled one.
    const [x, y] = await Promise.all([
      fx.engine.generate(model, 'A cat', { maxTokens: 10, seed: 1 }).result,
      fx.engine.generate(model, 'A cat', { maxTokens: 10, seed: 1 }).result,
    ]);
    assert.equal(x.stopReason, 'maxTokens');
    assert.equal(x.text, y.text);
  });

  it('cancel() on the stream works like the signal', async () => {
    const s = fx.engine.generate(model, 'Once upon a time', { maxTokens: 450, seed: 5 });
    for await (const _chunk of s) {
      s.cancel();
      break;
    }
    const r = await s.result;
    assert.equal(r.stopReason, 'cancelled');
    assert.ok(r.tokens < 450);
  });

  it('stops before a stop string and does not return it', async () => {
    let streamed = '';
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 42, stop: ['Lily'], onText: (t) => (streamed += t) }).result;
    assert.equal(r.stopReason, 'stop');
    // The stop string arrived inside the token " Lily", so that whole token is held back.
    assert.equal(r.text, ', there was a little girl named');
    assert.equal(streamed, r.text, 'the held-back text is never streamed either');
    const two = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 42, stop: ['xyz', 'stick'] }).result;
    assert.equal(two.stopReason, 'stop');
    assert.equal(two.text, ', there was a little girl named Lily. She had a');
    assert.ok(!r.text.includes('Lily'));
  });

  it('stops at max tokens', async () => {
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 5, seed: 42, temperature: 0.8 }).result;
    assert.equal(r.tokens, 5);
    assert.equal(r.stopReason, 'maxTokens');
  });

  it('never mixes concurrent requests (more requests than sequences: the rest wait)', async () => {
    const prompts = ['Once upon a time', 'The little bird', 'Tom had a ball', 'One day'];
    const alone = [];
    for (const [i, p] of prompts.entries()) alone.push((await fx.engine.generate(model, p, { maxTokens: 30, temperature: 0.9, seed: 100 + i }).result).text);
    const together = await Promise.all(prompts.map((p, i) => fx.engine.generate(model, p, { maxTokens: 30, temperature: 0.9, seed: 100 + i }).result));
    assert.deepEqual(together.map((r) => r.text), alone);
  });

  it('applies sampling options (greedy is deterministic without a seed; penalties change the text)', async () => {
    const g1 = await fx.engine.generate(model, 'The sun', { maxTokens: 30, temperature: 0 }).result;
    const g2 = await fx.engine.generate(model, 'The sun', { maxTokens: 30, temperature: 0, topK: 1, topP: 0.5, minP: 0.1 }).result;
    assert.equal(g1.text, g2.text);
    const p = await fx.engine.generate(model, 'The sun', { maxTokens: 30, temperature: 0, repeatPenalty: 1.8, frequencyPenalty: 1, presencePenalty: 1 }).result;
    assert.notEqual(p.text, g1.text);
  });

  it('chats through the model\'s chat wrapper', async () => {
    const s = fx.engine.chat(model, [
      { role: 'system', content: 'You tell short stories.' },
      { role: 'user', content: 'Tell me a story about a cat.' },
    ], { maxTokens: 30, temperature: 0.8, seed: 1 });
    let streamed = '';
    for await (const c of s) streamed += c;
    const r = await s.result;
    assert.ok(r.text.length > 0);
    assert.equal(streamed, r.text);
    assert.equal(r.truncated, null);
    assert.ok(r.promptTokens > 10, 'the template wraps the messages');
  });

  it('cuts an over-long prompt (oldest first) and says so', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `Word${i} went to the park.`).join(' ');
    const r = await fx.engine.generate(model, long, { maxTokens: 20, seed: 1 }).result;
    assert.ok(r.truncated, 'truncation is reported');
    assert.ok(r.truncated.droppedTokens > 0);
    assert.match(r.truncated.message, /first \d+ tokens were cut/);
    assert.ok(r.promptTokens <= 512 - 20);
    assert.equal(r.tokens, 20);

    const history = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 === 0 ? ('user' as const) : ('assistant' as const), content: `Message ${i}: the dog ran to the big red house and played with a ball.` }));
    const chat = await fx.engine.chat(model, [{ role: 'system', content: 'Be kind.' }, ...history, { role: 'user', content: 'What happened?' }], { maxTokens: 50, seed: 1 }).result;
    assert.ok(chat.truncated && chat.truncated.droppedMessages > 0, 'oldest messages dropped');
    assert.match(chat.truncated.message, /oldest message/);
    assert.ok(chat.promptTokens <= 512 - 50);
  });

  it('counts and returns tokens with the model\'s own tokenizer', async () => {
    const texts = ['hello world', 'Once upon a time there was a dog.', ''];
    const counts = await fx.engine.countTokens(model, texts);
    const tokens = await fx.engine.tokenize(model, texts[1]);
    assert.equal(counts.length, 3);
    assert.equal(counts[1], tokens.length);
    assert.equal(counts[2], 0);
    assert.ok(tokens.every((t) => Number.isInteger(t) && t >= 0 && t < 512));
  });

  it('embeds batches: 64 dimensions, deterministic, normalized, long text truncated', async () => {
    const emb = await fx.engine.loadModel(tinyModel, { purpose: 'embed', contextSize: 256 });
    assert.equal(emb.info.purpose, 'embed');
    const long = 'the cat sat on the mat. '.repeat(200);
    const a = await fx.engine.embed(emb, ['a small dog', 'a big tree', long]);
    const b = await fx.engine.embed(emb, ['a small dog']);
    assert.equal(a.dimension, 64);
    assert.equal(a.vectors.length, 3);
    for (const v of a.vectors) {
      assert.equal(v.length, 64);
      assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5, 'L2-normalized');
    }
    assert.deepEqual(b.vectors[0], a.vectors[0]);
    assert.notDeepEqual(a.vectors[1], a.vectors[0]);
    assert.deepEqual(a.truncated, [false, false, true]);
    assert.ok(a.tokens[2] <= 256);
    await assert.rejects(fx.engine.embed(model, ['x']), /loaded for generation/);
    await fx.engine.unloadModel(emb);
  });

  it('reports memory figures that agree with the loaded models', async () => {
    const m = await fx.engine.memory();
    assert.ok(m.process.rss > 0 && m.process.heapUsed > 0 && m.process.heapUsed <= m.process.heapTotal);
    assert.notEqual(m.process.pid, process.pid, 'figures are the engine process\'s');
    assert.equal(m.process.pid, fx.engine.pid);
    assert.ok(m.system.total > 0 && m.system.free > 0 && m.system.free <= m.system.total);
    assert.equal(m.vram, null, 'CPU only');
    const mine = m.models.find((x) => x.modelId === model.info.modelId);
    assert.ok(mine, 'the loaded model is listed');
    assert.equal(m.models.length, 1, 'the embedding model was unloaded');
    assert.equal(mine.fileSize, statSync(tinyModel).size);
    assert.equal(mine.contextSize, 512);
    assert.equal(mine.kvCacheBytes, model.info.estimate.contextBytes);
    assert.ok(mine.modelRamBytes > 0 && mine.modelRamBytes <= mine.fileSize);
    assert.ok(mine.kvCacheBytes > 0);
    assert.equal(mine.busy, false);
  });
});
