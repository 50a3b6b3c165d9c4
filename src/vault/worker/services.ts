// Feature stores that run inside the vault worker, next to the vault's one SQLite connection.
// One line per feature: name -> factory over the open vault's database. The name must match the
// feature's WorkerServices declaration (see protocol.ts). Factories run lazily, on first call.
import type { SqliteDatabase } from '../db/sqlite';
import { BookmarkStore } from '../bookmarks/bookmarkStore';
import { ModelsService } from '../models/modelsService';
import { ConversationStore } from '../conversations/conversationStore';
import { ChatService } from '../chat/chatService';

export type ServiceFactory = (db: SqliteDatabase) => object;

export const workerServices: Record<string, ServiceFactory> = {
  chat: (db) => new ChatService(db),
  bookmarks: (db) => new BookmarkStore(db),
  models: (db) => new ModelsService(db),
  conversations: (db) => new ConversationStore(db),
};
