// The error every EngineClient call rejects with: a code to branch on, and a message that says
// what happened and what to do, ready to show to the user.
import type { EngineErrorCode } from '../protocol';

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}
