// Feature stores that run inside the vault worker, next to the vault's one SQLite connection.
// One line per feature: name -> factory over the open vault's database. The name must match the
// feature's WorkerServices declaration (see protocol.ts). Factories run lazily, on first call.
import type { SqliteDatabase } from '../vault/db/sqlite';
import type { QueryEmbedding } from './protocol';
import { BookmarkStore } from '../vault/bookmarks/bookmarkStore';
import { embedQuery, ModelsService } from '../app/models/modelsService';
import { ConversationStore } from '../vault/conversations/conversationStore';
import { ChatService } from '../app/chat/chatService';
import { EmbeddingsService } from '../app/embeddings/embeddingsService';

export type ServiceFactory = (db: SqliteDatabase) => object;

export const workerServices: Record<string, ServiceFactory> = {
  chat: (db) => new ChatService(db),
  bookmarks: (db) => new BookmarkStore(db),
  models: (db) => new ModelsService(db),
  conversations: (db) => new ConversationStore(db),
  embeddings: (db) => new EmbeddingsService(db),
};

/**
 * Hybrid search in the worker: embeds a search query with the loaded embedding model, or answers
 * undefined when none is loaded (search then falls back to full text, saying so). Set once by the
 * feature that owns the engine in the worker; a vector the host sends with the request wins.
 */
export type QueryEmbeddingProvider = (db: SqliteDatabase, query: string, signal: AbortSignal) => Promise<QueryEmbedding | undefined>;
export const queryEmbedding: { provider?: QueryEmbeddingProvider } = {};
queryEmbedding.provider = embedQuery;
