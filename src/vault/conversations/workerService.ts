// Makes the ConversationStore callable from the extension host through the vault worker:
// `vault.call('conversations', 'list')`. The store is created by the worker's services table.
import type { ConversationStore } from './conversationStore';

declare module '../worker/protocol' {
  interface WorkerServices {
    conversations: ConversationStore;
  }
}
