// A hung engine does not hang its callers: the real engine process is frozen with SIGSTOP (it is
// alive but answers nothing), and each kind of call fails with a clear 'timeout' error within its
// limit: a plain call restarts the engine for the next request; a generation that stops producing
// text is stopped. A caller that gives up before its generation was sent gets no generation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../../src/engine/client/engineClient';
import { tinyModel } from '../../helpers/paths';
import { isAlive, openFixture } from './engineFixtures';

function isTimeout(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.code, 'timeout');
    assert.match(err.message, pattern);
    return true;
  };
}

test('a call to an engine that does not answer fails within its limit, and the next request gets a fresh engine', { timeout: 60_000 }, async () => {
  const fx = await openFixture({}, { timeouts: { calls: { memory: 1500 } }, restartBackoffMs: 50 });
  try {
    await fx.engine.memory();
    const hung = fx.engine.pid!;
    process.kill(hung, 'SIGSTOP');
    const t = performance.now();
    await assert.rejects(fx.engine.memory(), isTimeout(/^The engine did not answer within 2 s while reading memory figures; it is restarted/));
    assert.ok(performance.now() - t < 10_000, 'the caller was told within the limit, not when the engine came back');
    // The frozen engine is put down; the next request starts another one.
    const snap = await fx.engine.memory();
    assert.ok(snap.process.pid !== hung && fx.engine.pid !== hung, 'a new engine process answered');
    for (let i = 0; i < 100 && isAlive(hung); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(isAlive(hung), false, 'the frozen engine was stopped');
  } finally {
    await fx.close();
  }
});

test('a generation that stops producing text is stopped after the inactivity limit with a clear error', { timeout: 60_000 }, async () => {
  const fx = await openFixture({}, { timeouts: { nextTextMs: 1500 } });
  const frozen: number[] = [];
  try {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 2048 });
    const pid = fx.engine.pid!;
    const stream = fx.engine.generate(model, 'Once upon a time', {
      maxTokens: 2000,
      seed: 1,
      onText: () => {
        if (frozen.length === 0) {
          frozen.push(pid);
          process.kill(pid, 'SIGSTOP');
        }
      },
    });
    await assert.rejects(stream.result, isTimeout(/^The engine produced no text for 2 s while generating text with stories260K\.gguf, so it was stopped\./));
    process.kill(pid, 'SIGCONT');
    frozen.length = 0;
    // The engine was slow, not gone: it is kept, and the next generation runs.
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 20, seed: 1 }).result;
    assert.ok(r.text.length > 0);
    assert.equal(fx.engine.pid, pid);
  } finally {
    for (const pid of frozen) process.kill(pid, 'SIGCONT');
    await fx.close();
  }
});

test('a generation whose caller gave up before it was sent ends at once as cancelled', { timeout: 60_000 }, async () => {
  const fx = await openFixture();
  try {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 2048 });
    const ac = new AbortController();
    ac.abort();
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 2000, seed: 1, signal: ac.signal }).result;
    assert.equal(r.stopReason, 'cancelled');
    assert.ok(r.tokens < 2000, `generated ${r.tokens} tokens for a caller that had given up`);
  } finally {
    await fx.close();
  }
});
