// Pure decisions of the engine: the memory-fit verdict (with and without a GPU) and the default
// thread count (never more threads than free cores; one for tiny models).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultThreads } from '../../../src/engine/host/threads';
import { formatBytes, judgeFit } from '../../../src/engine/memory/fit';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const estimate = { contextSize: 8192, modelBytes: 4 * GiB, contextBytes: 2 * GiB, totalBytes: 6 * GiB, gpuVramBytes: 0 };

test('fits when free memory covers weights and KV cache', () => {
  const v = judgeFit({ estimate, freeRam: 16 * GiB, freeVram: null, contextBytesPerToken: (2 * GiB) / 8192 });
  assert.deepEqual(v, { fits: true, availableBytes: 16 * GiB, neededBytes: 6 * GiB, message: null });
});

test('refuses with a context size that would fit, and another model', () => {
  const v = judgeFit({ estimate, freeRam: 5 * GiB, freeVram: null, contextBytesPerToken: (2 * GiB) / 8192 });
  assert.equal(v.fits, false);
  assert.equal(v.neededBytes, 6 * GiB);
  // 1 GiB left after the weights at 256 KiB per token: 4096 tokens.
  assert.equal(v.message, 'The model and a 8192-token context need about 6.0 GiB of memory, but only 5.0 GiB is available. Try a context of at most 4096 tokens, or a smaller (more quantized) model.');
});

test('the budget setting caps what is available, and says so', () => {
  const v = judgeFit({ estimate, freeRam: 64 * GiB, budget: 3 * GiB, freeVram: null, contextBytesPerToken: (2 * GiB) / 8192 });
  assert.equal(v.fits, false);
  assert.match(v.message ?? '', /only 3\.0 GiB is available \(memory budget setting\)\. Try a smaller \(more quantized\) model\./);
});

test('with a GPU, free VRAM and RAM count together (layers that do not fit stay on the CPU)', () => {
  const onGpu = { ...estimate, gpuVramBytes: 6 * GiB };
  assert.equal(judgeFit({ estimate: onGpu, freeRam: 3 * GiB, freeVram: 4 * GiB, contextBytesPerToken: 1 }).fits, true);
  const v = judgeFit({ estimate: onGpu, freeRam: 1 * GiB, freeVram: 2 * GiB, contextBytesPerToken: 1 });
  assert.equal(v.fits, false);
  assert.match(v.message ?? '', /only 3\.0 GiB is available \(2\.0 GiB free GPU memory \+ 1\.0 GiB RAM\)/);
});

test('formats sizes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * MiB), '3.0 MiB');
  assert.equal(formatBytes(150 * GiB), '150 GiB');
});

test('default threads never oversubscribe: one core left free, one thread for tiny models', () => {
  assert.equal(defaultThreads(1), 1);
  assert.equal(defaultThreads(2), 1);
  assert.equal(defaultThreads(16), 15);
  assert.equal(defaultThreads(16, 292_800), 1, 'the tiny model: synchronisation costs more than the maths');
  assert.equal(defaultThreads(16, 7_000_000_000), 15);
});
