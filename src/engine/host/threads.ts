// How many threads llama.cpp may use. llama.cpp's worker threads spin-wait on each other at
// every graph barrier, so one thread more than the cores actually free does not add a little
// contention, it multiplies latency: measured on this 2-vCPU machine (bench/engine.bench.ts)
// node-llama-cpp's own default (4 threads) ran the tiny model at ~1 token/s and 2 threads at
// ~13, against ~2,000 with 1 thread. So: leave one core for the extension host / CLI and the
// rest of the system, and give tiny models (where synchronisation costs more than the maths)
// a single thread.

/** Below this many parameters one thread is fastest: the per-token work is too small to split. */
export const TINY_MODEL_PARAMETERS = 50_000_000;

export function defaultThreads(availableParallelism: number, parameterCount?: number): number {
  if (parameterCount !== undefined && parameterCount < TINY_MODEL_PARAMETERS) return 1;
  return Math.max(1, availableParallelism - 1);
}
