// Settings reach a running engine, read back from the engine's own report (memory()): runtime
// settings at once, threads by an orderly restart that reloads the model on its next use, a new
// context size by reloading the model, and the sampling of a generation as the engine applied it.
// The real engine child process and the real tiny model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientEvent } from '../../../src/engine/client/engineClient';
import { tinyModel } from '../../helpers/paths';
import { openFixture, type Fixture } from './engineFixtures';

describe('engine settings, read back from the engine', () => {
  let fx: Fixture;
  before(async () => {
    fx = await openFixture({ idleUnloadMs: 0, lowMemoryWatermarkBytes: 0 });
  });
  after(async () => {
    await fx.close();
  });

  it('runtime settings apply to the running engine at once', async () => {
    await fx.engine.start();
    const r = await fx.engine.configure({ idleUnloadMs: 123_000, lowMemoryWatermarkBytes: 4096, streamFlushMs: 20 });
    assert.equal(r.restarted, false);
    const s = (await fx.engine.memory()).engine.settings;
    assert.equal(s.idleUnloadMs, 123_000);
    assert.equal(s.lowMemoryWatermarkBytes, 4096);
    assert.equal(s.streamFlushMs, 20);
    assert.equal(s.threads, 1);
    assert.equal(s.gpu, 'cpu');
  });

  it('the sampling of a generation reaches the engine as asked', async () => {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    await fx.engine.chat(model, [{ role: 'user', content: 'Once upon a time' }], { temperature: 0.4, topP: 0.55, topK: 7, repeatPenalty: 1.3, maxTokens: 3, seed: 5 }).result;
    const m = (await fx.engine.memory()).models.find((x) => x.file === tinyModel);
    assert.deepEqual(m?.lastSampling, { temperature: 0.4, topP: 0.55, topK: 7, repeatPenalty: 1.3, maxTokens: 3, seed: 5 });
    await fx.engine.unloadModel(model);
  });

  it('a new context size reloads the loaded model under the same handle', async () => {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    const id = model.id;
    const reloaded = await fx.engine.reloadModel(model, { contextSize: 512 });
    assert.equal(reloaded.id, id);
    assert.equal(reloaded.info.contextSize, 512);
    const mem = await fx.engine.memory();
    assert.deepEqual(mem.models.map((m) => m.contextSize), [512]);
    const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 3, seed: 1 }).result;
    assert.ok(r.tokens > 0);
    await fx.engine.unloadModel(model);
  });

  it('a new thread count restarts the engine with a notice; the model comes back with it on next use', async () => {
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    const pid = fx.engine.pid;
    const events: ClientEvent[] = [];
    const off = fx.engine.onEvent((e) => events.push(e));
    try {
      const r = await fx.engine.configure({ threads: 2 });
      assert.equal(r.restarted, true);
      assert.ok(events.some((e) => e.type === 'restarted' && /thread/.test(e.message)), 'a notice');
      assert.equal(fx.engine.running, false);
      await fx.engine.countTokens(model, ['Once']);
      assert.notEqual(fx.engine.pid, pid);
      const mem = await fx.engine.memory();
      assert.equal(mem.engine.settings.threads, 2);
      assert.deepEqual(mem.models.map((m) => m.threads), [2]);
      // Settings given before the restart are kept by the new engine.
      assert.equal(mem.engine.settings.idleUnloadMs, 123_000);
    } finally {
      off();
      await fx.engine.configure({ threads: 1 });
    }
  });
});
