// Memory tracking in the engine, on one engine whose settings change at run time: the fit
// refusal before a load, memory events, idle unload, and the low-memory watermark.
import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { after, before, describe, it } from 'node:test';
import type { ClientEvent } from '../../../src/engine/client/engineClient';
import { EngineError } from '../../../src/engine/client/engineClient';
import { tinyModel } from '../../helpers/paths';
import { openFixture, type Fixture } from './engineFixtures';

function waitFor<T extends ClientEvent>(fx: Fixture, pred: (e: ClientEvent) => e is T): Promise<T> {
  return new Promise((resolve) => {
    const off = fx.engine.onEvent((e) => {
      if (pred(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const NO_BUDGET = 1e15;

describe('memory tracking', () => {
  let fx: Fixture;
  before(async () => {
    fx = await openFixture({ memoryBudgetBytes: 3 * 1024 * 1024 });
  });
  after(async () => {
    await fx.close();
  });

  it('a model and context that do not fit are refused before loading, with a suggestion', async () => {
    const insp = await fx.engine.inspect(tinyModel, { contextSize: 2048 });
    assert.equal(insp.fit.fits, false);
    assert.ok(insp.fit.neededBytes > insp.fit.availableBytes);
    await assert.rejects(fx.engine.loadModel(tinyModel, { contextSize: 2048 }), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'insufficient-memory');
      assert.match(err.message, /2048-token context need about .* but only 3\.0 MiB is available \(memory budget setting\)\. Try a context of at most \d+ tokens/);
      return true;
    });
    // The suggestion holds: a small context fits the same budget.
    const small = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    assert.equal(small.info.contextSize, 256);
    await fx.engine.unloadModel(small);
    await fx.engine.configure({ memoryBudgetBytes: NO_BUDGET });
  });

  it('a model idle longer than the setting is unloaded, told about, and reloaded on next use', async () => {
    await fx.engine.configure({ idleUnloadMs: 300 });
    try {
      const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
      await fx.engine.generate(model, 'Hi', { maxTokens: 3 }).result;
      const ev = await waitFor(fx, (e): e is Extract<ClientEvent, { type: 'unloaded' }> => e.type === 'unloaded');
      assert.equal(ev.reason, 'idle');
      assert.equal(ev.file, tinyModel);
      assert.match(ev.message, /without use/);
      assert.deepEqual((await fx.engine.memory()).models, []);
      const r = await fx.engine.generate(model, 'Once upon a time', { maxTokens: 5, seed: 1 }).result;
      assert.equal(r.tokens, 5);
      assert.equal((await fx.engine.memory()).models.length, 1);
      await fx.engine.unloadModel(model);
    } finally {
      await fx.engine.configure({ idleUnloadMs: 0 });
    }
  });

  it('under the free-memory watermark idle models are unloaded first, and the user is told', async () => {
    // A watermark of all the machine's memory: free memory is always under it.
    try {
      const unloaded = waitFor(fx, (e): e is Extract<ClientEvent, { type: 'unloaded' }> => e.type === 'unloaded');
      await fx.engine.loadModel(tinyModel, { contextSize: 256 });
      await fx.engine.configure({ lowMemoryWatermarkBytes: totalmem() });
      const ev = await unloaded;
      assert.equal(ev.reason, 'low-memory');
      assert.match(ev.message, /under the .* watermark: unloaded the idle model/);
      assert.deepEqual((await fx.engine.memory()).models, []);
    } finally {
      await fx.engine.configure({ lowMemoryWatermarkBytes: 0 });
    }
  });

  it('memory events carry the loaded models', async () => {
    await fx.engine.configure({ memoryEventIntervalMs: 100 });
    const model = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    try {
      const ev = await waitFor(fx, (e): e is Extract<ClientEvent, { type: 'memory' }> => e.type === 'memory' && e.snapshot.models.length > 0);
      assert.equal(ev.snapshot.models[0].file, tinyModel);
      assert.equal(ev.snapshot.models[0].contextSize, 256);
      assert.ok(ev.snapshot.process.rss > 0);
    } finally {
      await fx.engine.configure({ memoryEventIntervalMs: 0 });
      await fx.engine.unloadModel(model);
    }
  });
});
