// The engine process's life: killed mid-generation (every pending request gets a clear error and
// the next request is served by a fresh engine), killed while loading (not retried forever), and
// an orderly dispose that leaves nothing running.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClientEvent } from '../../../src/engine/client/engineClient';
import { EngineError } from '../../../src/engine/client/engineClient';
import { tinyModel } from '../../helpers/paths';
import { isAlive, openFixture } from './engineFixtures';

function waitFor<T extends ClientEvent>(fx: { engine: { onEvent(l: (e: ClientEvent) => void): () => void } }, pred: (e: ClientEvent) => e is T): Promise<T> {
  return new Promise((resolve) => {
    const off = fx.engine.onEvent((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

test('engine killed (SIGKILL) mid-generation: pending requests fail clearly, then a fresh engine serves the next request', async () => {
  const fx = await openFixture({}, { restartBackoffMs: 50 });
  try {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 2048, sequences: 2 });
    const firstPid = fx.engine.pid;
    assert.ok(firstPid);
    let killed = false;
    const chunks: string[] = [];
    const long = fx.engine.generate(model, 'Once upon a time', {
      maxTokens: 2000,
      seed: 1,
      onText: (t) => {
        chunks.push(t);
        if (!killed) {
          killed = true;
          process.kill(firstPid, 'SIGKILL');
        }
      },
    });
    const other = fx.engine.generate(model, 'The dog', { maxTokens: 2000, seed: 2 });
    const exit = waitFor(fx, (e): e is Extract<ClientEvent, { type: 'exit' }> => e.type === 'exit');
    await assert.rejects(long.result, (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'engine-exited');
      assert.match(err.message, /^The engine process exited unexpectedly \(signal SIGKILL\) while generating text with stories260K\.gguf\./);
      return true;
    });
    await assert.rejects(other.result, /exited unexpectedly \(signal SIGKILL\)/);
    // The iterator ends with the same error.
    await assert.rejects(async () => {
      for await (const _c of long) {
        // drain
      }
    }, /exited unexpectedly/);
    const e = await exit;
    assert.equal(e.expected, false);
    assert.equal(e.signal, 'SIGKILL');
    assert.ok(chunks.length >= 1);
    assert.equal(fx.engine.running, false);

    // Next request: a fresh engine, the model reloaded transparently through the same handle.
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 40, temperature: 0.8, seed: 42 }).result;
    assert.match(r.text, /^, there was a little girl named Lily/);
    assert.ok(fx.engine.pid !== undefined && fx.engine.pid !== firstPid, 'a new engine process');
    assert.equal(isAlive(firstPid), false);
  } finally {
    await fx.close();
  }
});

test('a model that keeps crashing the engine while loading is not retried forever', async () => {
  const fx = await openFixture({}, { restartBackoffMs: 10, maxCrashesOnLoad: 2 });
  try {
    // The engine logs "Loading <file>" as a load begins: kill it right there, as a native crash would.
    fx.engine.onEvent((e) => {
      if (e.type === 'log' && e.message.startsWith('Loading ') && fx.engine.pid) process.kill(fx.engine.pid, 'SIGKILL');
    });
    const failures: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const m = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
        await fx.engine.unloadModel(m); // the kill came too late this time: not a crash on load
      } catch (err) {
        assert.ok(err instanceof EngineError);
        failures.push(err.code);
        if (err.code === 'crash-loop') {
          assert.match(err.message, /crashed the engine 2 times in a row while loading; it will not be tried again/);
          break;
        }
        assert.match(err.message, /exited unexpectedly \(signal SIGKILL\) while loading stories260K\.gguf/);
      }
    }
    assert.deepEqual(failures, ['engine-exited', 'engine-exited', 'crash-loop']);
    assert.equal(fx.engine.running, false, 'the refusal started no engine');
  } finally {
    await fx.close();
  }
});

test('dispose stops the engine in order and leaves nothing running; the client then refuses work', async () => {
  const fx = await openFixture();
  const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
  const pid = fx.engine.pid;
  assert.ok(pid && isAlive(pid));
  const exit = waitFor(fx, (e): e is Extract<ClientEvent, { type: 'exit' }> => e.type === 'exit');
  await fx.engine.dispose();
  const e = await exit;
  assert.equal(e.expected, true);
  assert.equal(e.code, 0, 'the engine exited by itself after disposing, not killed');
  assert.equal(isAlive(pid), false);
  await assert.rejects(fx.engine.generate(model, 'x').result, /disposed/);
  await fx.close();
});
