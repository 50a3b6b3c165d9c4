// Plain data of the chat service (vault worker side). Shaped like the webview protocol's types
// (src/views/protocol/chatProtocol.ts), which the host-side adapter checks at compile time, but
// defined here because src/vault never depends on the views.
import type { CitationSupport } from '../../vault/conversations/types';
import type { CitationMode } from '../ask/strictCitations';

export interface ChatSource {
  n: number;
  root: string;
  path: string;
  startLine: number;
  endLine: number;
  headings: string;
  text: string;
}

export interface ChatCitation {
  n: number;
  root: string;
  path: string;
  startLine: number;
  endLine: number;
  /** The support check of the answer (absent on answers stored before it). */
  support?: CitationSupport;
}

export type ChatMessageStatus = 'complete' | 'cancelled' | 'error' | 'streaming';

export interface ChatMessageData {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  sources: ChatSource[];
  citations: ChatCitation[];
  status: ChatMessageStatus;
  notFound?: boolean;
  invented?: number[];
  stats?: { tokens: number; tokensPerSecond: number; firstTokenMs: number | null };
  /** How the sources were found (by meaning too when the embedding model has vectors), and the coverage. */
  retrieval?: { mode: 'lexical' | 'semantic' | 'hybrid'; embedded: number | null; total: number | null; fallbackReason: string | null };
  createdAt: number;
}

export interface ChatConversationData {
  id: number;
  title: string;
  messages: ChatMessageData[];
}

export interface ChatConversationSummary {
  id: number;
  title: string;
  updatedAt: number;
}

export interface ChatContextRef {
  kind: 'file' | 'selection';
  root: string;
  path: string;
  startLine?: number;
  endLine?: number;
  text?: string;
  label: string;
}

export interface ChatModelChoice {
  /** Absolute path of the chat model's GGUF file (verified by the models service). */
  path: string;
  contextSize: number;
  threads?: number;
}

export interface ChatAskRequest {
  conversationId: number | null;
  question: string;
  context: ChatContextRef[];
  vaultOnly: boolean;
  model: ChatModelChoice;
  maxAnswerTokens: number;
  temperature: number;
  /** codexVault.sampling.topP / topK / repeatPenalty (the engine's defaults when left out). */
  topP?: number;
  topK?: number;
  repeatPenalty?: number;
  /** codexVault.ask.citations: generate under the citation grammar, or only ask (ask()'s default when left out). */
  citations?: CitationMode;
}

/** Streamed while an ask runs, in this order: start, sources (once), tokens. */
export type ChatEvent =
  | { type: 'start'; conversationId: number; title: string; userMessage: ChatMessageData; answerMessageId: number }
  | { type: 'sources'; sources: ChatSource[] }
  | { type: 'token'; text: string };

/** Everything an answer reports, ending with exactly one 'done' (complete or cancelled) or 'error'. */
export type AnswerEvent =
  | ChatEvent
  | { type: 'done'; message: ChatMessageData }
  | { type: 'error'; error: string };

/** What a streaming ask receives besides its request. */
export interface StreamContext {
  signal: AbortSignal;
  emit(event: ChatEvent): void;
}
