// The sidebar chat (view codexVault.chat): serves the webview, validates every message it sends,
// and forwards requests to the ChatBackend. No vault logic lives here.
//
// Answers belong to the host, not to the page: the view has no retainContextWhenHidden, so hiding
// it unloads the page (without disposing the view) and showing it loads a new one. Each answer gets
// an id issued here; its progress is kept here while it streams, and a page that loads meanwhile
// is given it in `init` and follows it from there (Stop included). Responses go only to the page
// load that sent the request, since each page numbers its requests from 1.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { safeLine, safeMessage } from '../../common/untrustedText';
import {
  type ChatMessage, type ContextItem, type FromHost, type FromWebview, parseFromHost, parseFromWebview, type RequestOf, type Source,
} from '../protocol/chatProtocol';
import { Disposable } from '../../services/disposable';
import type { EventOf } from '../protocol/chatProtocol';
import type { ChatBackend, Conversation } from './chatBackend';
import { BOOKMARK_COMMANDS } from '../bookmarks/bookmarksCommands';
import { chatHtml } from './chatHtml';
import { contextFromActiveEditor } from './editorContext';
import { openLocation } from './openLocation';

const CURRENT_KEY = 'codexVault.chat.currentConversation';

export interface ChatViewOptions {
  extensionUri: vscode.Uri;
  backend: ChatBackend;
  /** Workspace state: remembers the open conversation across reloads. */
  state: vscode.Memento;
  /** "Answer only from the vault" default (a setting). */
  vaultOnlyDefault(): boolean;
  log(message: string): void;
}

/** An answer streaming now: what a page that loads meanwhile needs to show it and follow it. */
interface LiveAnswer {
  abort: AbortController;
  question: string;
  context: ContextItem[];
  vaultOnly: boolean;
  conversationId: number | null;
  userMessage: ChatMessage | null;
  answerMessageId: number | null;
  sources: Source[];
  text: string;
}

export class ChatViewProvider extends Disposable implements vscode.WebviewViewProvider {
  static readonly viewId = 'codexVault.chat';
  private view: vscode.WebviewView | undefined;
  private readonly answers = new Map<string, LiveAnswer>();
  /** Counts page loads: a response is sent only to the page load its request came from. */
  private page = 0;
  private viewSubscriptions: vscode.Disposable[] = [];

  constructor(private readonly opts: ChatViewOptions) {
    super();
    this._register(opts.backend.onModelStateChanged((state) => this.post({ type: 'models', state })));
    this._register({
      dispose: () => {
        for (const a of this.answers.values()) a.abort.abort();
        for (const d of this.viewSubscriptions) d.dispose();
      },
    });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const mediaRoot = vscode.Uri.joinPath(this.opts.extensionUri, 'dist', 'media');
    this.view = view;
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot] };
    view.webview.html = chatHtml(view.webview, mediaRoot);
    for (const d of this.viewSubscriptions) d.dispose();
    this.viewSubscriptions = [
      view.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      // Fired when the view is closed for good (not when it is only hidden). Answers go on and are
      // stored; if the view is opened again, its page picks up the one still streaming.
      view.onDidDispose(() => {
        if (this.view === view) this.view = undefined;
      }),
    ];
  }

  private get currentConversation(): number | null {
    return this.opts.state.get<number | null>(CURRENT_KEY, null);
  }

  private setCurrent(id: number | null): void {
    void this.opts.state.update(CURRENT_KEY, id);
  }

  /** Shows a conversation in the sidebar (e.g. one carried over from an inline answer). */
  async showConversation(id: number): Promise<void> {
    this.setCurrent(id);
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    if (this.view) this.post({ type: 'conversation', conversation: this.withoutLive(await this.opts.backend.getConversation(id)) });
    await this.postConversations();
  }

  async focusInput(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    this.post({ type: 'focusInput' });
  }

  /** Sends a message to the page; false (and logged) when it fails the page's own check. */
  private post(msg: FromHost): boolean {
    // The same check the webview applies: a drift between the two ends shows up here first.
    const checked = parseFromHost(msg);
    if (!checked.ok) {
      this.opts.log(`chat: not sending an invalid ${msg.type} message: ${checked.error}`);
      return false;
    }
    void this.view?.webview.postMessage(msg);
    return true;
  }

  /**
   * Answers request `id` of page load `page`, unless another page has loaded since. Errors may quote
   * a model file or llama.cpp: shown escaped and short.
   */
  private respond(page: number, id: number, error: string | null, answerId?: string): void {
    if (page === this.page) this.post({ type: 'response', id, error: error === null ? null : safeMessage(error, 2000), ...(answerId ? { answerId } : {}) });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseFromWebview(raw);
    // A page says 'ready' first: its requests are answered from then on, an older page's no more.
    if (parsed.ok && parsed.value.type === 'ready') this.page++;
    const page = this.page;
    if (!parsed.ok) {
      this.opts.log(`chat: ignored an invalid message from the webview: ${parsed.error}`);
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0) this.respond(page, id, `invalid request: ${parsed.error}`);
      return;
    }
    const msg = parsed.value;
    try {
      await this.handle(msg, page);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.opts.log(`chat: ${msg.type} failed: ${text}`);
      if (msg.type !== 'copyText') void vscode.window.showWarningMessage(`Codex Vault: ${safeLine(text, 600)}`);
      this.respond(page, msg.id, text);
    }
  }

  private async handle(msg: FromWebview, page: number): Promise<void> {
    const b = this.opts.backend;
    switch (msg.type) {
      case 'ready': {
        // Each part on its own: a vault that cannot start (no folder open) still gets a usable view.
        const soft = <T>(what: string, p: Promise<T>, fallback: T): Promise<T> => p.catch((e: unknown) => {
          this.opts.log(`chat: ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
          return fallback;
        });
        const noRole = { current: null, loaded: false, available: [], offers: [], downloading: null };
        const [conversations, conversation, models] = await Promise.all([
          soft('listing conversations', b.listConversations(), []),
          soft('opening the conversation', this.loadCurrent(), null),
          soft('listing models', b.modelState(), { chat: noRole, embedding: noRole }),
        ]);
        this.post({ type: 'init', conversations, models, vaultOnlyDefault: this.opts.vaultOnlyDefault(), ...this.withLiveAnswer(conversation) });
        break;
      }
      case 'ask': {
        const answerId = randomUUID();
        // The page keys the answer by this id before any of its events arrive.
        this.respond(page, msg.id, null, answerId);
        await this.ask(answerId, msg);
        return;
      }
      case 'cancel':
        this.answers.get(msg.answerId)?.abort.abort();
        break;
      case 'newConversation':
        this.setCurrent(null);
        this.post({ type: 'conversation', conversation: null });
        break;
      case 'openConversation': {
        const c = await b.getConversation(msg.conversationId);
        if (!c) throw new Error(`conversation ${msg.conversationId} no longer exists`);
        this.setCurrent(c.id);
        this.post({ type: 'conversation', conversation: this.withoutLive(c) });
        break;
      }
      case 'renameConversation':
        await b.renameConversation(msg.conversationId, msg.title.trim());
        await this.postConversations();
        if (this.currentConversation === msg.conversationId) this.post({ type: 'conversation', conversation: this.withoutLive(await b.getConversation(msg.conversationId)) });
        break;
      case 'deleteConversation':
        await b.deleteConversation(msg.conversationId);
        if (this.currentConversation === msg.conversationId) {
          this.setCurrent(null);
          this.post({ type: 'conversation', conversation: null });
        }
        await this.postConversations();
        break;
      case 'openLocation':
        await openLocation(msg.location);
        break;
      case 'addContext': {
        const item = contextFromActiveEditor(msg.kind);
        if (typeof item === 'string') throw new Error(item);
        this.post({ type: 'contextAdded', item });
        break;
      }
      case 'selectModel':
        await b.selectModel(msg.role, msg.modelId);
        this.post({ type: 'models', state: await b.modelState() });
        break;
      case 'pickModel':
        await b.pickModel(msg.role);
        this.post({ type: 'models', state: await b.modelState() });
        break;
      case 'copyText':
        await vscode.env.clipboard.writeText(msg.text);
        break;
      case 'bookmarkAnswer':
        // The Bookmarks command stores it, places it and says so (with a button to show it).
        await vscode.commands.executeCommand(BOOKMARK_COMMANDS.addAnswer, await b.answerToBookmark(msg.conversationId, msg.messageId));
        break;
    }
    this.respond(page, msg.id, null);
  }

  /**
   * The conversation for a page that is loading, with the answer that still streams into it (if
   * any) taken out of its rows and given whole, with the text so far, so the page can follow it.
   */
  private withLiveAnswer(conversation: Conversation | null): { conversation: Conversation | null; streaming: EventOf<'init'>['streaming'] } {
    for (const [answerId, a] of this.answers) {
      if (a.abort.signal.aborted || a.conversationId !== (conversation?.id ?? null)) continue;
      return {
        conversation: this.withoutLive(conversation),
        streaming: {
          answerId, question: a.question, context: a.context, vaultOnly: a.vaultOnly, userMessage: a.userMessage, sources: a.sources, text: a.text,
        },
      };
    }
    return { conversation, streaming: null };
  }

  /** A conversation without the rows of answers still streaming: the page shows those as they stream. */
  private withoutLive(conversation: Conversation | null): Conversation | null {
    const live = new Set([...this.answers.values()].map((a) => a.answerMessageId));
    return conversation && { ...conversation, messages: conversation.messages.filter((m) => !live.has(m.id)) };
  }

  private async loadCurrent(): Promise<Conversation | null> {
    const id = this.currentConversation;
    if (id === null) return null;
    const c = await this.opts.backend.getConversation(id);
    if (!c) this.setCurrent(null);
    return c;
  }

  private async postConversations(): Promise<void> {
    this.post({ type: 'conversations', items: await this.opts.backend.listConversations() });
  }

  private async ask(answerId: string, msg: RequestOf<'ask'>): Promise<void> {
    const a: LiveAnswer = {
      abort: new AbortController(), question: msg.question, context: msg.context, vaultOnly: msg.vaultOnly,
      conversationId: msg.conversationId, userMessage: null, answerMessageId: null, sources: [], text: '',
    };
    this.answers.set(answerId, a);
    try {
      const message: ChatMessage = await this.opts.backend.ask(
        answerId,
        { conversationId: msg.conversationId, question: msg.question, context: msg.context, vaultOnly: msg.vaultOnly },
        {
          onStart: ({ conversationId, title, userMessage, answerMessageId }) => {
            Object.assign(a, { conversationId, userMessage, answerMessageId });
            this.setCurrent(conversationId);
            this.post({ type: 'answerStart', answerId, conversationId, title, userMessage });
          },
          onSources: (sources) => {
            a.sources = sources;
            this.post({ type: 'sources', answerId, sources });
          },
          onToken: (text) => {
            a.text += text;
            this.post({ type: 'token', answerId, text });
          },
        },
        a.abort.signal,
      );
      this.answers.delete(answerId);
      // An answer the page cannot take must still end there, or its Stop button would stay forever.
      if (!this.post({ type: 'answerDone', answerId, message })) {
        this.post({ type: 'answerError', answerId, error: 'The answer was stored but cannot be shown here (see the Codex Vault log).', partial: a.text });
      }
    } catch (e) {
      this.answers.delete(answerId);
      const error = e instanceof Error ? e.message : String(e);
      this.opts.log(`chat: ask failed: ${error}`);
      this.post({ type: 'answerError', answerId, error: safeMessage(error, 2000), partial: a.text });
    }
    await this.postConversations().catch((e: unknown) => this.opts.log(`chat: listing conversations failed: ${String(e)}`));
  }
}
