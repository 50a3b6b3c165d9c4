// Conversations with the vault: the chat panel's history, stored in the vault database.

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'complete' | 'cancelled' | 'error' | 'streaming';

/** A citation in an answer, resolved to the lines it points at. */
export interface CitationRef {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
}

/** A numbered source given to the model with an answer. */
export interface SourceRef {
  n: number;
  root: string;
  path: string;
  startLine: number;
  endLine: number;
  heading: string;
  title: string;
}

export interface Conversation {
  id: number;
  title: string;
  createdAt: number;
  updatedAt: number;
  messageCount: number;
}

export interface Message {
  id: number;
  conversationId: number;
  role: MessageRole;
  content: string;
  sources: SourceRef[];
  citations: CitationRef[];
  status: MessageStatus;
  createdAt: number;
}

export interface NewMessage {
  role: MessageRole;
  content: string;
  sources?: SourceRef[];
  citations?: CitationRef[];
  status?: MessageStatus;
}
