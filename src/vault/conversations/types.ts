// Conversations with the vault: the chat panel's history, stored in the vault database.

export type MessageRole = 'user' | 'assistant' | 'system';
export type MessageStatus = 'complete' | 'cancelled' | 'error' | 'streaming';

/** A citation in an answer, resolved to the lines it points at. */
export interface CitationRef {
  n: number;
  path: string;
  startLine: number;
  endLine: number;
  /** Whether the cited lines seem to say what cites them (absent on answers stored before it was checked). */
  support?: CitationSupport;
}

/** How well the sentences citing a source are supported by its text: the weakest of them. */
export interface CitationSupport {
  /** Share (0..1) of the sentence's content words found in the cited text; null when it has none. */
  score: number | null;
  /** Cosine similarity of the sentence's and the cited text's vectors; null without an embedding model. */
  similarity: number | null;
  /** false: the cited text does not seem to say it. */
  supported: boolean;
  /** The weakest sentence citing the source. */
  sentence: string;
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
