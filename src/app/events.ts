// What the application services report while they work: one typed union, streamed to the host over
// the vault worker's event channel (src/worker/protocol.ts) instead of being polled for. A service
// emits through the AppEvents it was given; `wants` lets it skip building an event nobody follows.
import type { AnswerEvent } from './chat/chatTypes';
import type { EmbeddingsStatus } from './embeddings/embeddingsTypes';
import type { ModelsSnapshot } from './models/modelsTypes';

export type AppEvent =
  /** An answer the host asked for under `answerId` (the host issues answer ids). */
  | { topic: 'answer'; answerId: string; event: AnswerEvent }
  /** The embedding backfill's state, at every change (progress per batch). */
  | { topic: 'embeddings'; status: EmbeddingsStatus }
  /** Every model with its state, download progress, loaded memory and the engine's figures, at every change. */
  | { topic: 'models'; snapshot: ModelsSnapshot };

export type AppTopic = AppEvent['topic'];

export interface AppEvents {
  emit(event: AppEvent): void;
  /** Whether anyone follows `topic` now. */
  wants(topic: AppTopic): boolean;
}

/** For services used where nobody listens (the CLI, some tests). */
export const NO_EVENTS: AppEvents = { emit: () => undefined, wants: () => false };
