// What the chat view and the inline "ask about selection" need from the rest of the extension.
// The views hold no vault logic: the composition root (src/extension.ts) hands them an object with
// this shape, built over the vault worker (conversations, retrieval, prompt, citations) and the
// engine client (generation). Types are the webview protocol's, so the provider forwards them as is.
import type {
  ChatMessage, Citation, ContextItem, ConversationSummary, ModelRole, ModelState, Source,
} from '../protocol/chatProtocol';

export interface AskRequest {
  /** null: start a new conversation (its title comes from the question). */
  conversationId: number | null;
  question: string;
  /** The current file or a selection: becomes part of the question's context; related notes are retrieved too. */
  context: ContextItem[];
  /** Answer only from the vault (the default): say so when the vault has nothing relevant. */
  vaultOnly: boolean;
}

export interface AskObserver {
  /**
   * The question is stored: the conversation it belongs to (created when conversationId was null),
   * and the id of the answer's row (stored with status 'streaming' until the answer ends).
   */
  onStart(info: { conversationId: number; title: string; userMessage: ChatMessage; answerMessageId: number }): void;
  /** The numbered sources given to the model, before the first token. */
  onSources(sources: Source[]): void;
  onToken(text: string): void;
}

export interface Conversation {
  id: number;
  title: string;
  messages: ChatMessage[];
}

export interface Unsubscribe { dispose(): void }

/** A stored answer with the question it answered: what "Bookmark Answer" keeps. */
export interface AnswerToBookmark {
  question: string;
  answer: string;
  citations: Citation[];
}

export interface ChatBackend {
  /**
   * Answers `req` under `answerId` (issued by the caller, unique in this window), streaming through
   * `observer`, and resolves with the stored assistant message (verified citations; status
   * 'cancelled' when `signal` aborted it, with the partial answer). Rejects with an Error whose
   * message is a sentence for the user.
   */
  ask(answerId: string, req: AskRequest, observer: AskObserver, signal: AbortSignal): Promise<ChatMessage>;
  listConversations(): Promise<ConversationSummary[]>;
  getConversation(id: number): Promise<Conversation | null>;
  /** The stored answer `messageId` of a conversation and its question; rejects with a sentence when there is none to keep. */
  answerToBookmark(conversationId: number, messageId: number): Promise<AnswerToBookmark>;
  renameConversation(id: number, title: string): Promise<void>;
  deleteConversation(id: number): Promise<void>;
  modelState(): Promise<ModelState>;
  onModelStateChanged(listener: (state: ModelState) => void): Unsubscribe;
  selectModel(role: ModelRole, modelId: string): Promise<void>;
  /** Lets the user pick a manifest model to download (fit shown) or a local GGUF file for `role`. */
  pickModel(role: ModelRole): Promise<void>;
}
