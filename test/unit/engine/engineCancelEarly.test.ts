// A generation whose signal has already aborted (a request cancelled the moment it was made, e.g. a
// chat question stopped at once) ends as cancelled: the cancel reaches the engine after the request
// it cancels, never before it (where the engine dropped it and generated a whole answer). It may
// still let a token or two out: cancelling takes one message to the engine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tinyModel } from '../../helpers/paths';
import { openFixture, type Fixture } from './engineFixtures';

let f: Fixture;

before(async () => {
  f = await openFixture();
});

after(async () => {
  await f?.close();
});

test('chat and generation with an already-aborted signal are cancelled, not answered', { timeout: 120_000 }, async () => {
  const h = await f.engine.loadModel(tinyModel, { contextSize: 512 });
  const aborted = AbortSignal.abort();
  for (let i = 0; i < 3; i++) {
    const chat = await f.engine.chat(h, [{ role: 'user', content: 'Tell me a story.' }], { maxTokens: 200, signal: aborted }).result;
    assert.equal(chat.stopReason, 'cancelled');
    assert.ok(chat.tokens < 200, `${chat.tokens} tokens`);
    const done = await f.engine.generate(h, 'Once upon a time', { maxTokens: 200, signal: aborted }).result;
    assert.equal(done.stopReason, 'cancelled');
    assert.ok(done.tokens < 200, `${done.tokens} tokens`);
  }
  // The engine is still usable afterwards.
  const next = await f.engine.generate(h, 'Once upon a time', { maxTokens: 8, temperature: 0 }).result;
  assert.ok(next.tokens > 0);
});
