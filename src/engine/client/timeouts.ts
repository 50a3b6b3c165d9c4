// How long the engine may take, per kind of call, before the client stops waiting. A request that
// runs out of time fails with a clear 'timeout' error instead of hanging its caller (the chat, the
// embedder) until someone presses Stop. Generation is limited by the time between two pieces of
// text, not in total: a long answer is fine, an engine that stopped producing one is not.
import type { EngineOp } from '../protocol';

export interface EngineTimeouts {
  /** Per operation, in ms (generation excluded: see below). */
  calls: Record<Exclude<EngineOp, 'chat' | 'complete' | 'shutdown'>, number>;
  /** Before the first piece of text: the prompt is read first, which takes a big model on a CPU minutes. */
  firstTextMs: number;
  /** Between two pieces of text. */
  nextTextMs: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

export const DEFAULT_TIMEOUTS: EngineTimeouts = {
  calls: {
    // Starting loads llama.cpp's binaries and probes the GPU.
    init: 2 * MINUTE,
    configure: 30 * SECOND,
    inspect: MINUTE,
    // A model of several GB read from a slow disk.
    load: 10 * MINUTE,
    unload: MINUTE,
    embed: 2 * MINUTE,
    tokenize: MINUTE,
    countTokens: MINUTE,
    memory: 30 * SECOND,
  },
  firstTextMs: 5 * MINUTE,
  nextTextMs: 2 * MINUTE,
};

export function mergeTimeouts(over: { calls?: Partial<EngineTimeouts['calls']>; firstTextMs?: number; nextTextMs?: number } | undefined): EngineTimeouts {
  return {
    calls: { ...DEFAULT_TIMEOUTS.calls, ...over?.calls },
    firstTextMs: over?.firstTextMs ?? DEFAULT_TIMEOUTS.firstTextMs,
    nextTextMs: over?.nextTextMs ?? DEFAULT_TIMEOUTS.nextTextMs,
  };
}
