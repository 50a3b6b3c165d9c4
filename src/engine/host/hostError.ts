// Errors the engine sends back with a code, so the client can tell "not a GGUF" from "out of
// memory" from "unknown model" without parsing messages.
import { GgufError } from '../gguf/ggufHeader';
import type { EngineErrorCode, WireError } from '../protocol';

export class HostError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'HostError';
  }
}

export function toWire(err: unknown): WireError {
  if (err instanceof HostError || err instanceof GgufError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    if (err.name === 'InsufficientMemoryError') return { code: 'insufficient-memory', message: `${err.message} Try a smaller context, the CPU, or a smaller model.` };
    return { code: 'internal', message: err.message };
  }
  return { code: 'internal', message: String(err) };
}
