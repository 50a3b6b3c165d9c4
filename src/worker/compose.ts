// The vault worker's composition root: the one place the application's object graph is built, once
// per open vault, over the vault's one SQLite connection. The engine client is created here and
// handed to the services as the app layer's Engine; nothing else creates or looks one up.
import { EngineClient } from '../engine/client/engineClient';
import { ChatService } from '../app/chat/chatService';
import { EmbeddingsService } from '../app/embeddings/embeddingsService';
import type { AppEvents } from '../app/events';
import type { Engine } from '../app/engine/engine';
import { ModelRecords } from '../app/models/modelRecords';
import { ModelsService } from '../app/models/modelsService';
import { GroundingService } from '../app/ask/groundingService';
import { BookmarkStore } from '../vault/bookmarks/bookmarkStore';
import { NoteReader } from '../vault/notes/noteReader';
import { RelatedNotes } from '../vault/related/relatedNotes';
import type { SqliteDatabase } from '../vault/db/sqlite';
import { VectorIndexCache } from '../vault/vectors/vectorIndex';
import type { QueryEmbedding, ServiceImpls } from './protocol';

export interface AppGraph {
  /** The services, whole; the host reaches only their allow-listed methods (SERVICE_METHODS in protocol.ts). */
  readonly services: ServiceImpls;
  /** The loaded vectors, one copy for the chat and hybrid search alike (it takes in new vectors as they come). */
  readonly vectors: VectorIndexCache;
  /** Hybrid search's query vector from the chosen embedding model; undefined when none is usable. */
  embedQuery(query: string, signal: AbortSignal): Promise<QueryEmbedding | undefined>;
  /** Stops what runs (answers, backfill, downloads), then the engine process; resolves when it has exited. */
  dispose(): Promise<void>;
}

export interface ComposeOptions {
  events: AppEvents;
  /** The engine to use; by default an engine client (its process starts on first use). */
  engine?: (records: ModelRecords) => Engine;
}

export function composeApp(db: SqliteDatabase, opts: ComposeOptions): AppGraph {
  const records = new ModelRecords(db);
  const engine = opts.engine ? opts.engine(records) : new EngineClient({ records });
  const { events } = opts;
  const models = new ModelsService({ records, engine, events });
  const vectors = new VectorIndexCache(db);
  const chat = new ChatService(db, { models, engine, events, vectors });
  const embeddings = new EmbeddingsService(db, { models, engine, records, events });
  const services: ServiceImpls = {
    bookmarks: new BookmarkStore(db),
    chat,
    models,
    embeddings,
    notes: new NoteReader(db),
    grounding: new GroundingService(db),
    // The loaded vectors are shared with the chat and hybrid search (one copy in memory).
    related: new RelatedNotes(db, vectors),
  };
  return {
    services,
    vectors,
    embedQuery: (query, signal) => models.embedQuery(query, signal),
    async dispose() {
      // Answers and the backfill end first (their last writes need the engine and the database).
      await Promise.all([chat.dispose(), embeddings.dispose()]);
      models.dispose();
      await engine.dispose();
    },
  };
}
