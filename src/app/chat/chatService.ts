// The chat's worker service ('chat'): one question of a conversation, end to end, next to the vault's
// database. It stores the question, runs grounded ask() (retrieval, token-budgeted prompt, streamed
// answer, verified citations) with the chat model's handle from the models service, reports the
// answer as 'answer' events under the id the host gave it, and stores the answer as it ends
// (complete, cancelled, or error with the partial text). It also serves the conversation history in
// the shape the chat view shows.
import { isAbsolute } from 'node:path';
import type { Embedder } from '../../vault/embeddings/embedder';
import type { SqliteDatabase } from '../../vault/db/sqlite';
import { ConversationStore } from '../../vault/conversations/conversationStore';
import type { CitationRef, Message, SourceRef } from '../../vault/conversations/types';
import { EmbeddingStore } from '../../vault/embeddings/embeddingStore';
import { Retriever } from '../../vault/retrieval/retriever';
import { searchLexical } from '../../vault/search/lexicalSearch';
import type { VectorIndexCache } from '../../vault/vectors/vectorIndex';
import type { PromptMessage } from '../ask/answerModel';
import { ask, notFoundText, type AskResult, type Selection } from '../ask/ask';
import { isCitationMode } from '../ask/strictCitations';
import type { Engine, ModelHandle } from '../engine/engine';
import { engineAnswerModel } from '../engine/engineAdapters';
import { answerEmbedder, EmbedderUnavailable, type ChosenEmbedding } from './answerEmbedder';
import type { AppEvents } from '../events';
import type {
  AnswerEvent, ChatAskRequest, ChatCitation, ChatContextRef, ChatConversationData, ChatConversationSummary, ChatMessageData, ChatSource, StreamContext,
} from './chatTypes';

/** Where the chat gets a model's engine handle: the models service, the one place models are loaded. */
export interface ModelHandles {
  handle(idOrPath: string, purpose: 'generate' | 'embed'): Promise<ModelHandle>;
  /** The chosen embedding model when it is usable: its key and a loader of its handle. */
  chosenEmbedding(): Promise<ChosenEmbedding | undefined>;
}

export interface ChatDeps {
  models: ModelHandles;
  engine: Pick<Engine, 'chat' | 'countTokens'>;
  events: AppEvents;
  /** The worker's one copy of the loaded vectors (shared with hybrid search). */
  vectors: VectorIndexCache;
}

export class ChatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatError';
  }
}

/** Earlier turns given to the model with a follow-up (ask() trims them to its token budget). */
const MAX_HISTORY_MESSAGES = 10;
/** A whole file given as context is cut here: the prompt's budget could not hold more. */
const MAX_FILE_CONTEXT_CHARS = 40_000;

export function titleFromQuestion(question: string): string {
  const line = question.trim().split('\n')[0]!.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 57).trimEnd()}…` : line;
}

function checkRequest(req: ChatAskRequest): void {
  if (typeof req?.question !== 'string' || !req.question.trim()) throw new ChatError('The question is empty.');
  if (!req.model || typeof req.model.path !== 'string' || !isAbsolute(req.model.path)) throw new ChatError('No chat model is chosen.');
  if (!Number.isInteger(req.model.contextSize) || req.model.contextSize < 256) throw new ChatError(`Context size ${req.model.contextSize} is too small.`);
  if (req.citations !== undefined && !isCitationMode(req.citations)) throw new ChatError(`Citations must be strict or prompt, not ${String(req.citations)}.`);
}

/** An answer id comes from the host: short, printable, and not one that is running. */
const ANSWER_ID = /^[\w-]{1,100}$/;

interface Run {
  abort: AbortController;
  /** The assistant row being written, once stored. */
  messageId?: number;
  /** What has streamed so far (the stored row is written when the answer ends). */
  text: string;
  /** Settles when the answer is stored and its last event sent. */
  ended?: Promise<void>;
}

export class ChatService {
  private readonly store: ConversationStore;
  private readonly runs = new Map<string, Run>();

  /** One retriever, so the loaded vector index is kept between questions (it takes in new vectors as they come). */
  private readonly retriever: Retriever;
  private readonly embeddings: EmbeddingStore;

  constructor(private readonly db: SqliteDatabase, private readonly deps: ChatDeps) {
    this.store = new ConversationStore(db);
    this.embeddings = new EmbeddingStore(db);
    this.retriever = new Retriever(db, { searchLexical: (q, o) => searchLexical(db, q, o) }, deps.vectors, this.embeddings);
  }

  listConversations(): ChatConversationSummary[] {
    return this.store.list().map((c) => ({ id: c.id, title: c.title, updatedAt: c.updatedAt }));
  }

  getConversation(id: number): ChatConversationData | null {
    const c = this.store.get(id);
    if (!c) return null;
    return { id: c.id, title: c.title, messages: this.store.messages(id).filter((m) => m.role !== 'system').map((m) => this.toData(m)) };
  }

  /**
   * A stored answer with the question it answered, for "Bookmark Answer". Read from the store, so a
   * bookmark keeps exactly what was answered and cited, whatever the page showed.
   */
  answerToBookmark(conversationId: number, messageId: number): { question: string; answer: string; citations: ChatCitation[] } {
    const messages = this.store.messages(conversationId);
    const i = messages.findIndex((m) => m.id === messageId);
    const m = messages[i];
    if (!m || m.role !== 'assistant') throw new ChatError('That answer is no longer in the conversation.');
    if (!m.content.trim()) throw new ChatError('An empty answer cannot be bookmarked.');
    const question = messages.slice(0, i).reverse().find((x) => x.role === 'user')?.content ?? '';
    return { question, answer: m.content, citations: this.toData(m).citations };
  }

  renameConversation(id: number, title: string): void {
    if (!String(title ?? '').trim()) throw new ChatError('A conversation needs a title.');
    this.store.rename(id, title);
  }

  deleteConversation(id: number): void {
    if (!this.store.delete(id)) throw new ChatError(`There is no conversation ${id}.`);
  }

  /**
   * Starts answering in the background under `answerId` (issued by the host, unique while it runs)
   * and returns at once. The answer streams as 'answer' events for that id: start, sources, tokens,
   * then one 'done' (the stored message; status 'cancelled' after cancelAsk) or 'error'.
   */
  startAsk(answerId: string, req: ChatAskRequest): void {
    if (typeof answerId !== 'string' || !ANSWER_ID.test(answerId)) throw new ChatError('An answer needs an id of letters, digits, "-" or "_".');
    if (this.runs.has(answerId)) throw new ChatError(`Answer ${answerId} is already running.`);
    const run: Run = { abort: new AbortController(), text: '' };
    this.runs.set(answerId, run);
    const emit = (event: AnswerEvent): void => this.deps.events.emit({ topic: 'answer', answerId, event });
    run.ended = this.ask(req, {
      signal: run.abort.signal,
      emit: (e) => {
        if (e.type === 'start') run.messageId = e.answerMessageId;
        else if (e.type === 'token') run.text += e.text;
        emit(e);
      },
    }).then(
      (message) => {
        this.runs.delete(answerId);
        emit({ type: 'done', message });
      },
      (e: unknown) => {
        this.runs.delete(answerId);
        emit({ type: 'error', error: e instanceof Error ? e.message : String(e) });
      },
    );
  }

  /** Stops a running answer; its partial text is stored as cancelled and comes with its 'done' event. */
  cancelAsk(answerId: string): boolean {
    const run = this.runs.get(answerId);
    if (!run) return false;
    run.abort.abort();
    return true;
  }

  /** Stops every running answer (the vault is closing) and resolves once each is stored as cancelled. */
  async dispose(): Promise<void> {
    const running = [...this.runs.values()];
    for (const run of running) run.abort.abort();
    await Promise.all(running.map((r) => r.ended));
  }

  /**
   * Asks `req.question` in its conversation (a new one when conversationId is null), streaming
   * through `ctx.emit`. Resolves with the stored answer; a cancelled ask resolves too (status
   * 'cancelled', the partial answer kept). Other failures store what streamed and reject.
   */
  async ask(req: ChatAskRequest, ctx: StreamContext): Promise<ChatMessageData> {
    checkRequest(req);
    const question = req.question.trim();
    let conversationId = req.conversationId;
    let title: string;
    if (conversationId === null) {
      const c = this.store.create(titleFromQuestion(question));
      conversationId = c.id;
      title = c.title;
    } else {
      const c = this.store.get(conversationId);
      if (!c) throw new ChatError(`There is no conversation ${conversationId}.`);
      title = c.title;
    }
    const history = this.history(conversationId);
    const userMessage = this.store.append(conversationId, { role: 'user', content: question });
    const answer = this.store.append(conversationId, { role: 'assistant', content: '', status: 'streaming' });
    ctx.emit({ type: 'start', conversationId, title, userMessage: this.toData(userMessage), answerMessageId: answer.id });

    let streamed = '';
    try {
      const selection = this.selectionFrom(req.context);
      const handle = await this.deps.models.handle(req.model.path, 'generate');
      const model = engineAnswerModel(this.deps.engine, handle);
      // Answers search by meaning whenever the chosen embedding model has vectors (hybrid), else by words.
      const chosen = await this.deps.models.chosenEmbedding();
      const embedder = chosen ? answerEmbedder(chosen, this.embeddings) : undefined;
      const run = (withEmbedder: Embedder | undefined): Promise<AskResult> => ask({ retriever: this.retriever, model, ...(withEmbedder ? { embedder: withEmbedder } : {}) }, question, {
        history,
        ...(selection ? { selection } : {}),
        maxAnswerTokens: req.maxAnswerTokens,
        temperature: req.temperature,
        sampling: { topP: req.topP, topK: req.topK, repeatPenalty: req.repeatPenalty },
        ...(req.citations ? { citations: req.citations } : {}),
        signal: ctx.signal,
        // "Answer only from the vault" off: a weak match is still given to the model.
        ...(req.vaultOnly ? {} : { relevance: { minTermCoverage: 0 } }),
        onText: (text) => {
          streamed += text;
          ctx.emit({ type: 'token', text });
        },
        onSources: (sources: AskResult['sources']) => ctx.emit({ type: 'sources', sources: sources.map(toChatSource) }),
      } as Parameters<typeof ask>[2]);
      let result: AskResult;
      let unavailable: string | null = null;
      try {
        result = await run(embedder);
      } catch (e) {
        // The question is embedded before any source or token is sent: retrieving by words instead is clean.
        if (!(e instanceof EmbedderUnavailable)) throw e;
        unavailable = e.message;
        result = await run(undefined);
      }
      return this.finish(answer.id, result, retrievalInfo(result, embedder !== undefined, unavailable));
    } catch (e) {
      const cancelled = ctx.signal.aborted;
      this.store.update(answer.id, { content: streamed, status: cancelled ? 'cancelled' : 'error' });
      if (cancelled) return { ...this.toData({ ...answer, content: streamed, status: 'cancelled' }) };
      throw e instanceof Error ? e : new ChatError(String(e));
    }
  }

  private finish(messageId: number, r: AskResult, retrieval: NonNullable<ChatMessageData['retrieval']>): ChatMessageData {
    let sources: ChatSource[] = r.sources.map(toChatSource);
    let citations: ChatCitation[] = r.citations.map((c) => withRoot(c, sources));
    let content = r.answer;
    if (r.notFound) {
      // The closest notes become the numbered sources of a "not in the vault" answer, so they are
      // clickable like citations; the model was not asked.
      sources = r.closest.map((c, i) => ({ n: i + 1, root: rootOfPath(this.db, c.path), path: c.path, startLine: c.startLine, endLine: c.endLine, headings: c.heading, text: '' }));
      citations = sources.map(({ n, root, path, startLine, endLine }) => ({ n, root, path, startLine, endLine }));
      content = notFoundText(sources.length);
    }
    const status = r.cancelled ? 'cancelled' : 'complete';
    this.store.update(messageId, { content, sources: sources.map(toSourceRef), citations: citations.map(toCitationRef), status });
    const stored = this.store.messages(this.conversationOf(messageId)).find((m) => m.id === messageId)!;
    // The engine's own figures, when ask() reports them (they feed the chat's tokens/s benchmark).
    const gen = (r as AskResult & { generation?: { tokens: number; tokensPerSecond: number; timeToFirstTokenMs?: number | null } | null }).generation;
    return {
      ...this.toData(stored),
      sources: sources.map((s) => (s.text ? s : { ...s, text: this.chunkText(s) })),
      notFound: r.notFound,
      invented: r.invalidCitations,
      ...(gen && typeof gen.tokens === 'number' && typeof gen.tokensPerSecond === 'number'
        ? { stats: { tokens: gen.tokens, tokensPerSecond: gen.tokensPerSecond, firstTokenMs: r.timings.firstTokenMs } }
        : {}),
      retrieval,
    };
  }

  private conversationOf(messageId: number): number {
    const row = this.db.get<{ c: number }>('SELECT conversation_id AS c FROM messages WHERE id = ?', [messageId]);
    if (!row) throw new ChatError(`There is no message ${messageId}.`);
    return Number(row.c);
  }

  private history(conversationId: number): PromptMessage[] {
    return this.store.messages(conversationId)
      .filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content.trim() && (m.role === 'user' || m.status === 'complete'))
      .slice(-MAX_HISTORY_MESSAGES)
      .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  }

  /**
   * The question's context as ask()'s selection: a selection wins over a whole file. Both come with
   * their text: the host reads an attached file (confined to the workspace, as the editor holds it);
   * nothing here reads a file that a message names.
   */
  private selectionFrom(context: readonly ChatContextRef[]): Selection | undefined {
    const sel = context.find((c) => c.kind === 'selection' && c.text) ?? context.find((c) => c.kind === 'file');
    if (!sel) return undefined;
    if (typeof sel.text !== 'string') throw new ChatError(`${sel.path} came without its text: the host reads attached files.`);
    const text = sel.text.slice(0, MAX_FILE_CONTEXT_CHARS);
    const startLine = sel.startLine ?? 1;
    return { root: sel.root, path: sel.path, startLine, endLine: sel.endLine ?? Math.max(startLine, startLine + text.split('\n').length - 1), text };
  }

  /** The indexed text of a cited range (stored messages keep only its location). */
  private chunkText(s: { root: string; path: string; startLine: number; endLine: number }): string {
    const rows = this.db.all<{ body: string }>(
      `SELECT c.body FROM chunks c JOIN documents d ON d.id = c.doc_id JOIN roots r ON r.id = d.root_id
       WHERE r.path = ? AND d.path = ? AND c.start_line <= ? AND c.end_line >= ? ORDER BY c.start_line LIMIT 3`,
      [s.root, s.path, s.endLine, s.startLine],
    );
    return rows.map((r) => r.body).join('\n\n');
  }

  private toData(m: Message): ChatMessageData {
    const sources = m.sources.map((s) => ({ ...toChatSource({ ...s, text: '' }), text: this.chunkText(s) }));
    // A row being written by a running answer is shown with what has streamed so far; a row left
    // 'streaming' by a worker that died mid-answer is shown as the error it was.
    const live = m.status === 'streaming' ? [...this.runs.values()].find((r) => r.messageId === m.id) : undefined;
    return {
      id: m.id,
      role: m.role === 'assistant' ? 'assistant' : 'user',
      content: live ? live.text : m.content,
      sources,
      citations: m.citations.map((c) => withRoot(c, sources)),
      status: m.status === 'streaming' && !live ? 'error' : m.status,
      createdAt: m.createdAt,
    };
  }
}

/** How the answer's sources were found, for the answer to say (partial coverage, or why words only). */
function retrievalInfo(r: AskResult, hadEmbedder: boolean, unavailable: string | null): NonNullable<ChatMessageData['retrieval']> {
  const c = r.retrieval.coverage;
  const noVectors = hadEmbedder && r.retrieval.mode === 'lexical' && c !== null && c.embedded === 0 && c.total > 0
    ? 'the embedding model has no vectors in this vault yet (they are computed in the background)'
    : null;
  return { mode: r.retrieval.mode, embedded: c?.embedded ?? null, total: c?.total ?? null, fallbackReason: unavailable ?? r.retrieval.fallbackReason ?? noVectors };
}

function toChatSource(s: { n: number; root: string; path: string; startLine: number; endLine: number; heading: string; text: string }): ChatSource {
  return { n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine, headings: s.heading, text: s.text };
}

function toSourceRef(s: ChatSource): SourceRef {
  return { n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine, heading: s.headings, title: '' };
}

function toCitationRef(c: ChatCitation): CitationRef {
  return { n: c.n, path: c.path, startLine: c.startLine, endLine: c.endLine, ...(c.support ? { support: c.support } : {}) };
}

function withRoot(c: CitationRef, sources: readonly { n: number; root: string }[]): ChatCitation {
  return { n: c.n, root: sources.find((s) => s.n === c.n)?.root ?? '', path: c.path, startLine: c.startLine, endLine: c.endLine, ...(c.support ? { support: c.support } : {}) };
}

function rootOfPath(db: SqliteDatabase, path: string): string {
  return db.get<{ p: string }>('SELECT r.path AS p FROM documents d JOIN roots r ON r.id = d.root_id WHERE d.path = ? LIMIT 1', [path])?.p ?? '';
}
