// The one protocol between the chat webview (media/chatMain.ts) and its host-side provider
// (src/views/chat/). Both ends import these schemas: the types come from the schemas, and every
// message that crosses the boundary is checked with `parseFromWebview` / `parseFromHost` before use.
//
// Shape: the webview sends requests, each with a numeric `id`; the host answers every request with
// exactly one `response` carrying the same id (error: null on success). Request ids are the page's
// own and restart with each page load; the host answers only the page that asked. An `ask` is
// answered at once with the `answerId` the host issued for it; the answer then streams as events
// tagged with that id: `answerStart`, `sources`, `token`…, then `answerDone` or `answerError`. A page
// that loads while an answer streams (the view was hidden and shown) gets it in `init.streaming`
// and follows it from there. State (conversations, models, context) is pushed whenever it changes.
import { arr, bool, int, type Infer, nullable, num, obj, oneOf, optional, str, tagged, type Result } from './schema';

const id = int(0);
/** An answer's id, issued by the host (unique in the window's lifetime, across page loads). */
const answerId = str(100);
const lineNo = int(1, 10_000_000);
const path = str(4096);

/** A place in a note: the workspace folder (absolute path), the path inside it, 1-based inclusive lines. */
export const locationSchema = obj({ root: path, path, startLine: lineNo, endLine: lineNo });
export type Location = Infer<typeof locationSchema>;

/** A numbered source given to the model; `text` is shown when hovering its citation chip. */
export const sourceSchema = obj({
  n: int(1, 1000), root: path, path, startLine: lineNo, endLine: lineNo,
  headings: str(2000), text: str(50_000),
});
export type Source = Infer<typeof sourceSchema>;

/**
 * How well a citation's source supports the sentences citing it (src/app/ask/support.ts): the
 * weakest sentence, its share of content words found in the source, its vectors' similarity.
 */
export const citationSupportSchema = obj({ score: nullable(num()), similarity: nullable(num()), supported: bool(), sentence: str(2000) });
export type CitationSupport = Infer<typeof citationSupportSchema>;

/** A verified citation [n] -> path:lines. Citations to sources the model was not given never get here. */
export const citationSchema = obj({ n: int(1, 1000), root: path, path, startLine: lineNo, endLine: lineNo, support: optional(citationSupportSchema) });
export type Citation = Infer<typeof citationSchema>;

export const messageStatusSchema = oneOf('complete', 'cancelled', 'error', 'streaming');
export type MessageStatus = Infer<typeof messageStatusSchema>;

export const chatMessageSchema = obj({
  id,
  role: oneOf('user', 'assistant'),
  content: str(1_000_000),
  sources: arr(sourceSchema, 1000),
  citations: arr(citationSchema, 1000),
  status: messageStatusSchema,
  /** The vault had nothing relevant: the answer says so and lists the closest notes. */
  notFound: optional(bool()),
  /** Numbers the model cited that matched no source: removed from the links, reported here. */
  invented: optional(arr(int(0), 1000)),
  /** The engine's own figures for this answer (absent for stored history and "not in the vault"). */
  stats: optional(obj({ tokens: int(0), tokensPerSecond: num(), firstTokenMs: nullable(num()) })),
  /** How the sources were found: by meaning too, and how much of the vault has vectors (absent for stored history). */
  retrieval: optional(obj({
    mode: oneOf('lexical', 'semantic', 'hybrid'), embedded: nullable(int(0)), total: nullable(int(0)), fallbackReason: nullable(str(1000)),
  })),
  createdAt: num(),
});
export type ChatMessage = Infer<typeof chatMessageSchema>;

export const conversationSummarySchema = obj({ id, title: str(500), updatedAt: num() });
export type ConversationSummary = Infer<typeof conversationSummarySchema>;

/** Context the user attached to a question: the current file or a selection in it. */
export const contextItemSchema = obj({
  kind: oneOf('file', 'selection'),
  root: path, path,
  startLine: optional(lineNo), endLine: optional(lineNo),
  text: optional(str(200_000)),
  label: str(500),
});
export type ContextItem = Infer<typeof contextItemSchema>;

export const modelRoleSchema = oneOf('chat', 'embedding');
export type ModelRole = Infer<typeof modelRoleSchema>;

/** A model the user has (a verified local file or a downloaded manifest entry). */
export const modelChoiceSchema = obj({ id: str(4096), label: str(500), sizeBytes: nullable(num()) });
export type ModelChoice = Infer<typeof modelChoiceSchema>;

/** A manifest model that can be downloaded, with how it fits this machine. */
export const modelOfferSchema = obj({
  manifestId: str(500), label: str(500), sizeBytes: num(),
  fit: oneOf('fits', 'tight', 'too-large', 'unknown'), fitDetail: str(500),
});
export type ModelOffer = Infer<typeof modelOfferSchema>;

export const roleStateSchema = obj({
  current: nullable(modelChoiceSchema),
  loaded: bool(),
  available: arr(modelChoiceSchema, 500),
  offers: arr(modelOfferSchema, 500),
  /** A download in progress for this role, 0..1. */
  downloading: nullable(obj({ manifestId: str(500), fraction: num() })),
});
export type RoleState = Infer<typeof roleStateSchema>;

export const modelStateSchema = obj({ chat: roleStateSchema, embedding: roleStateSchema });
export type ModelState = Infer<typeof modelStateSchema>;

// ---------------------------------------------------------------- webview -> host (requests)

const question = str(20_000);

export const fromWebviewSchema = tagged('type', {
  ready: obj({ type: oneOf('ready'), id }),
  ask: obj({
    type: oneOf('ask'), id,
    conversationId: nullable(id),
    question,
    context: arr(contextItemSchema, 20),
    vaultOnly: bool(),
  }),
  /** Stop the answer `answerId`; the partial answer is kept. */
  cancel: obj({ type: oneOf('cancel'), id, answerId }),
  newConversation: obj({ type: oneOf('newConversation'), id }),
  openConversation: obj({ type: oneOf('openConversation'), id, conversationId: id }),
  renameConversation: obj({ type: oneOf('renameConversation'), id, conversationId: id, title: str(500) }),
  deleteConversation: obj({ type: oneOf('deleteConversation'), id, conversationId: id }),
  openLocation: obj({ type: oneOf('openLocation'), id, location: locationSchema }),
  addContext: obj({ type: oneOf('addContext'), id, kind: oneOf('file', 'selection') }),
  selectModel: obj({ type: oneOf('selectModel'), id, role: modelRoleSchema, modelId: str(4096) }),
  /** Let the user pick a model for `role`: a manifest model to download (with its fit) or a local GGUF file. */
  pickModel: obj({ type: oneOf('pickModel'), id, role: modelRoleSchema }),
  copyText: obj({ type: oneOf('copyText'), id, text: str(1_000_000) }),
  /** Bookmark a stored answer (the host reads it, its question and citations from the vault, not from the page). */
  bookmarkAnswer: obj({ type: oneOf('bookmarkAnswer'), id, conversationId: id, messageId: id }),
});
export type FromWebview = Infer<typeof fromWebviewSchema>;
export type RequestType = FromWebview['type'];
export type RequestOf<T extends RequestType> = Extract<FromWebview, { type: T }>;

// ---------------------------------------------------------------- host -> webview (responses and events)

export const fromHostSchema = tagged('type', {
  /** Ends request `id`; `error` is a sentence for the user, or null on success. An `ask` gets its answer's id. */
  response: obj({ type: oneOf('response'), id, error: nullable(str(5000)), answerId: optional(answerId) }),
  /** Everything the view needs at start-up and after a reload. */
  init: obj({
    type: oneOf('init'),
    conversations: arr(conversationSummarySchema, 10_000),
    conversation: nullable(obj({ id, title: str(500), messages: arr(chatMessageSchema, 10_000) })),
    models: modelStateSchema,
    vaultOnlyDefault: bool(),
    /** An answer still streaming into `conversation` (the row it is writing is left out of it). */
    streaming: nullable(obj({
      answerId, question, context: arr(contextItemSchema, 20), vaultOnly: bool(),
      /** The stored question, once the answer has started. */
      userMessage: nullable(chatMessageSchema),
      sources: arr(sourceSchema, 1000),
      /** What has streamed so far. */
      text: str(1_000_000),
    })),
  }),
  conversations: obj({ type: oneOf('conversations'), items: arr(conversationSummarySchema, 10_000) }),
  /** Show this conversation (opened, created, or carried over from an inline answer). null: a new empty one. */
  conversation: obj({
    type: oneOf('conversation'),
    conversation: nullable(obj({ id, title: str(500), messages: arr(chatMessageSchema, 10_000) })),
  }),
  models: obj({ type: oneOf('models'), state: modelStateSchema }),
  contextAdded: obj({ type: oneOf('contextAdded'), item: contextItemSchema }),
  answerStart: obj({ type: oneOf('answerStart'), answerId, conversationId: id, title: str(500), userMessage: chatMessageSchema }),
  sources: obj({ type: oneOf('sources'), answerId, sources: arr(sourceSchema, 1000) }),
  token: obj({ type: oneOf('token'), answerId, text: str(100_000) }),
  answerDone: obj({ type: oneOf('answerDone'), answerId, message: chatMessageSchema }),
  /** The answer failed; `partial` is what had streamed (kept on screen), `error` a sentence for the user. */
  answerError: obj({ type: oneOf('answerError'), answerId, error: str(5000), partial: str(1_000_000) }),
  /** Focus the question box (e.g. the "focus chat" command). */
  focusInput: obj({ type: oneOf('focusInput') }),
});
export type FromHost = Infer<typeof fromHostSchema>;
export type EventOf<T extends FromHost['type']> = Extract<FromHost, { type: T }>;

export function parseFromWebview(value: unknown): Result<FromWebview> {
  return fromWebviewSchema.check(value);
}

export function parseFromHost(value: unknown): Result<FromHost> {
  return fromHostSchema.check(value);
}
