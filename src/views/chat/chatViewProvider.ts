// The sidebar chat (view codexVault.chat): serves the webview, validates every message it sends,
// and forwards requests to the ChatBackend. No vault logic lives here.
import * as vscode from 'vscode';
import {
  type ChatMessage, type FromHost, type FromWebview, parseFromHost, parseFromWebview, type RequestOf,
} from '../protocol/chatProtocol';
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

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'codexVault.chat';
  private view: vscode.WebviewView | undefined;
  private readonly asks = new Map<number, AbortController>();
  private readonly disposables: vscode.Disposable[] = [];
  private viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly opts: ChatViewOptions) {
    this.disposables.push(opts.backend.onModelStateChanged((state) => this.post({ type: 'models', state })));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    const mediaRoot = vscode.Uri.joinPath(this.opts.extensionUri, 'dist', 'media');
    this.view = view;
    view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [mediaRoot] };
    view.webview.html = chatHtml(view.webview, mediaRoot);
    for (const d of this.viewDisposables) d.dispose();
    this.viewDisposables = [
      view.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      view.onDidDispose(() => {
        // Without retainContextWhenHidden the page is gone: streams to it stop, their answers stay stored.
        for (const ac of this.asks.values()) ac.abort();
        this.asks.clear();
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
    if (this.view) this.post({ type: 'conversation', conversation: await this.opts.backend.getConversation(id) });
    await this.postConversations();
  }

  async focusInput(): Promise<void> {
    await vscode.commands.executeCommand(`${ChatViewProvider.viewId}.focus`);
    this.post({ type: 'focusInput' });
  }

  private post(msg: FromHost): void {
    // The same check the webview applies: a drift between the two ends shows up here first.
    const checked = parseFromHost(msg);
    if (!checked.ok) {
      this.opts.log(`chat: not sending an invalid ${msg.type} message: ${checked.error}`);
      return;
    }
    void this.view?.webview.postMessage(msg);
  }

  private respond(id: number, error: string | null): void {
    this.post({ type: 'response', id, error });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.opts.log(`chat: ignored an invalid message from the webview: ${parsed.error}`);
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isInteger(id) && id >= 0) this.respond(id, `invalid request: ${parsed.error}`);
      return;
    }
    const msg = parsed.value;
    try {
      await this.handle(msg);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.opts.log(`chat: ${msg.type} failed: ${text}`);
      if (msg.type !== 'ask' && msg.type !== 'copyText') void vscode.window.showWarningMessage(`Codex Vault: ${text}`);
      this.respond(msg.id, text);
    }
  }

  private async handle(msg: FromWebview): Promise<void> {
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
        this.post({ type: 'init', conversations, conversation, models, vaultOnlyDefault: this.opts.vaultOnlyDefault() });
        break;
      }
      case 'ask':
        await this.ask(msg);
        return; // ask() responds itself
      case 'cancel':
        this.asks.get(msg.askId)?.abort();
        break;
      case 'newConversation':
        this.setCurrent(null);
        this.post({ type: 'conversation', conversation: null });
        break;
      case 'openConversation': {
        const c = await b.getConversation(msg.conversationId);
        if (!c) throw new Error(`conversation ${msg.conversationId} no longer exists`);
        this.setCurrent(c.id);
        this.post({ type: 'conversation', conversation: c });
        break;
      }
      case 'renameConversation':
        await b.renameConversation(msg.conversationId, msg.title.trim());
        await this.postConversations();
        if (this.currentConversation === msg.conversationId) this.post({ type: 'conversation', conversation: await b.getConversation(msg.conversationId) });
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
    this.respond(msg.id, null);
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

  private async ask(msg: RequestOf<'ask'>): Promise<void> {
    const ac = new AbortController();
    this.asks.set(msg.id, ac);
    let partial = '';
    try {
      const message: ChatMessage = await this.opts.backend.ask(
        { conversationId: msg.conversationId, question: msg.question, context: msg.context, vaultOnly: msg.vaultOnly },
        {
          onStart: (info) => {
            this.setCurrent(info.conversationId);
            this.post({ type: 'answerStart', askId: msg.id, ...info });
          },
          onSources: (sources) => this.post({ type: 'sources', askId: msg.id, sources }),
          onToken: (text) => {
            partial += text;
            this.post({ type: 'token', askId: msg.id, text });
          },
        },
        ac.signal,
      );
      this.post({ type: 'answerDone', askId: msg.id, message });
      this.respond(msg.id, null);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.opts.log(`chat: ask failed: ${error}`);
      this.post({ type: 'answerError', askId: msg.id, error, partial });
      this.respond(msg.id, error);
    } finally {
      this.asks.delete(msg.id);
    }
    await this.postConversations().catch((e: unknown) => this.opts.log(`chat: listing conversations failed: ${String(e)}`));
  }

  dispose(): void {
    for (const ac of this.asks.values()) ac.abort();
    this.asks.clear();
    for (const d of [...this.viewDisposables, ...this.disposables]) d.dispose();
    this.viewDisposables = [];
    this.disposables.length = 0;
  }
}
