// Retrieval for an answer written by a model outside the vault worker (the @vault chat participant
// with the model picked in Copilot Chat): `vault.call('grounding', 'gather', question)` runs the
// first half of ask() here -- the same retrieval and "not in the vault" check as the chat's answers --
// and the caller fits the sources into its model and checks the citations with answerFromSources().
import type { SqliteDatabase } from '../../vault/db/sqlite';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import { Retriever } from '../../vault/retrieval/retriever';
import { searchLexical } from '../../vault/search/lexicalSearch';
import { VectorIndexCache } from '../../vault/vectors/vectorIndex';
import type { PromptMessage } from './answerModel';
import { gatherSources, type GatheredSources } from './ask';

export class GroundingService {
  readonly #retriever: Retriever;

  constructor(db: SqliteDatabase) {
    this.#retriever = new Retriever(db, { searchLexical: (q, o) => searchLexical(db, q, o) }, new VectorIndexCache(db), new EmbeddingStore(db));
  }

  /** `history`: the conversation so far, oldest first (a short follow-up is retrieved with the question before it). */
  gather(question: string, opts: { maxSources?: number; pathPrefix?: string; history?: PromptMessage[] } = {}): Promise<GatheredSources> {
    return gatherSources({ retriever: this.#retriever }, question, { maxSources: opts.maxSources, pathPrefix: opts.pathPrefix, history: opts.history });
  }
}
