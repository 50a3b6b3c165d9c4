// "Codex Vault: Ask About Selection": the question is typed in an input box and answered in place,
// in a comment thread under the selection (VS Code's comments API renders Markdown and takes
// replies). The answer streams into the comment; citations are command links that open their lines;
// "Continue in chat" shows the stored exchange in the sidebar. A thread lives only in the editor's
// UI: dismissing it leaves nothing in the file.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { ChatMessage, Citation, ContextItem, Source } from '../protocol/chatProtocol';
import { locationSchema } from '../protocol/chatProtocol';
import type { ChatBackend } from '../chat/chatBackend';
import { selectionContext } from '../chat/editorContext';
import { openLocation } from '../chat/openLocation';
import { CONTINUE_IN_CHAT_COMMAND, inlineAnswerMarkdown, type InlineAnswerView, OPEN_CITATION_COMMAND, TRUSTED_COMMANDS } from './answerMarkdown';

export const ASK_ABOUT_SELECTION_COMMAND = 'codexVault.askAboutSelection';
const REPLY_COMMAND = 'codexVault.inline.reply';
const STOP_COMMAND = 'codexVault.inline.stop';
const DISMISS_COMMAND = 'codexVault.inline.dismiss';
/** Streaming updates are batched: re-rendering a comment per token would flood the renderer. */
const RENDER_INTERVAL_MS = 80;

class TextComment implements vscode.Comment {
  mode = vscode.CommentMode.Preview;
  constructor(public body: vscode.MarkdownString | string, public author: vscode.CommentAuthorInformation, public contextValue?: string) {}
}

interface ThreadState {
  thread: vscode.CommentThread;
  context: ContextItem;
  conversationId: number | null;
  comments: TextComment[];
  abort: AbortController | undefined;
}

export interface InlineAskOptions {
  backend: ChatBackend;
  /** Shows a stored conversation in the sidebar chat. */
  continueInChat(conversationId: number): Promise<void>;
  log(message: string): void;
}

export class InlineAsk extends Disposable {
  private readonly controller: vscode.CommentController;
  private readonly threads = new Map<vscode.CommentThread, ThreadState>();

  constructor(private readonly opts: InlineAskOptions) {
    super();
    this._register({
      dispose: () => {
        for (const st of this.threads.values()) st.abort?.abort();
        this.threads.clear();
      },
    });
    this.controller = this._register(vscode.comments.createCommentController('codexVault.inline', 'Codex Vault'));
    this.controller.options = { prompt: 'Ask a follow-up…', placeHolder: 'Ask Codex Vault a follow-up question' };
    // The reply box needs commenting ranges: the lines of our own threads, nothing else, so the
    // editor gains no "+" gutter buttons elsewhere.
    this.controller.commentingRangeProvider = {
      provideCommentingRanges: (doc) => [...this.threads.values()]
        .filter((t) => t.thread.uri.toString() === doc.uri.toString() && t.thread.range)
        .map((t) => t.thread.range!),
    };
    const command = (id: string, fn: (arg: never) => unknown): void => void this._register(vscode.commands.registerCommand(id, fn));
    command(ASK_ABOUT_SELECTION_COMMAND, () => this.askAboutSelection());
    command(REPLY_COMMAND, (reply: vscode.CommentReply) => this.reply(reply));
    command(STOP_COMMAND, (thread: vscode.CommentThread) => this.stop(thread));
    command(DISMISS_COMMAND, (thread: vscode.CommentThread) => this.dismiss(thread));
    command(CONTINUE_IN_CHAT_COMMAND, (arg: unknown) => this.continueInChat(arg));
    command(OPEN_CITATION_COMMAND, (arg: unknown) => this.openCitation(arg));
  }

  async askAboutSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return void vscode.window.showInformationMessage('Codex Vault: open a note and select some text first.');
    const context = selectionContext(editor.document, editor.selection);
    if (!context) return void vscode.window.showInformationMessage('Codex Vault: select some text to ask about.');
    const question = await vscode.window.showInputBox({
      title: 'Codex Vault: Ask About Selection',
      prompt: `Ask about ${context.label}`,
      placeHolder: 'What does this mean? What else do my notes say about it?',
      ignoreFocusOut: true,
      validateInput: (v) => v.trim() ? undefined : 'Type a question',
    });
    if (!question?.trim()) return;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const thread = this.controller.createCommentThread(editor.document.uri, range, []);
    thread.label = `Codex Vault · ${context.label}`;
    thread.canReply = true;
    thread.collapsibleState = vscode.CommentThreadCollapsibleState.Expanded;
    const st: ThreadState = { thread, context, conversationId: null, comments: [], abort: undefined };
    this.threads.set(thread, st);
    await this.run(st, question.trim());
  }

  private async reply(reply: vscode.CommentReply): Promise<void> {
    if (!reply.text.trim()) return;
    let st = this.threads.get(reply.thread);
    if (!st) {
      // A new thread started from the gutter on our lines: a question about those lines.
      const doc = await vscode.workspace.openTextDocument(reply.thread.uri);
      const context = reply.thread.range ? selectionContext(doc, reply.thread.range) : null;
      if (!context) { reply.thread.dispose(); return; }
      reply.thread.label = `Codex Vault · ${context.label}`;
      reply.thread.canReply = true;
      st = { thread: reply.thread, context, conversationId: null, comments: [], abort: undefined };
      this.threads.set(reply.thread, st);
    }
    if (st.abort) return void vscode.window.showInformationMessage('Codex Vault: wait for the answer, or stop it, before asking a follow-up.');
    await this.run(st, reply.text.trim());
  }

  /** Asks `question` in the thread's conversation, streaming the answer into a new comment. */
  private async run(st: ThreadState, question: string): Promise<void> {
    const you = new TextComment(plain(question), { name: 'You' });
    const view: InlineAnswerView = { text: '', citations: [], status: 'streaming' };
    const answer = new TextComment(this.markdown(view), { name: 'Codex Vault' }, 'codexVault.answer');
    st.comments.push(you, answer);
    const ac = new AbortController();
    st.abort = ac;
    st.thread.contextValue = 'codexVault.streaming';
    this.render(st);
    let sources: Source[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = (): void => {
      timer = undefined;
      answer.body = this.markdown(view);
      this.render(st);
    };
    try {
      const message: ChatMessage = await this.opts.backend.ask(
        randomUUID(),
        { conversationId: st.conversationId, question, context: [st.context], vaultOnly: true },
        {
          onStart: (info) => { st.conversationId = info.conversationId; },
          onSources: (s) => {
            sources = s;
            // While streaming, [n] links to source n when it was given to the model.
            view.citations = s.map(toCitation);
            view.sources = view.citations;
          },
          onToken: (text) => {
            view.text += text;
            timer ??= setTimeout(flush, RENDER_INTERVAL_MS);
          },
        },
        ac.signal,
      );
      view.text = message.content;
      view.citations = message.citations;
      view.sources = message.sources.map(toCitation);
      view.status = message.status === 'cancelled' ? 'cancelled' : message.status === 'error' ? 'error' : 'complete';
      view.notFound = message.notFound;
      if (message.retrieval) view.retrieval = message.retrieval;
    } catch (e) {
      view.status = 'error';
      view.error = e instanceof Error ? e.message : String(e);
      view.citations = view.citations.filter((c) => sources.some((s) => s.n === c.n));
      this.opts.log(`inline ask failed: ${view.error}`);
    } finally {
      if (timer) clearTimeout(timer);
      st.abort = undefined;
    }
    if (!this.threads.has(st.thread)) return; // dismissed meanwhile
    if (st.conversationId !== null) view.conversationId = st.conversationId;
    answer.body = this.markdown(view);
    st.thread.contextValue = st.conversationId !== null ? 'codexVault.answered' : 'codexVault.failed';
    this.render(st);
  }

  private markdown(view: InlineAnswerView): vscode.MarkdownString {
    const md = new vscode.MarkdownString(inlineAnswerMarkdown(view));
    // Only our own commands may run from this body, and no raw HTML is rendered.
    md.isTrusted = { enabledCommands: TRUSTED_COMMANDS };
    md.supportHtml = false;
    md.supportThemeIcons = false;
    return md;
  }

  private render(st: ThreadState): void {
    st.thread.comments = [...st.comments];
  }

  private stop(thread: vscode.CommentThread | undefined): void {
    const st = thread ? this.threads.get(thread) : [...this.threads.values()].find((t) => t.abort);
    st?.abort?.abort();
  }

  private dismiss(thread: vscode.CommentThread | undefined): void {
    const st = thread ? this.threads.get(thread) : undefined;
    const targets = st ? [st] : [...this.threads.values()];
    for (const t of targets) {
      t.abort?.abort();
      this.threads.delete(t.thread);
      t.thread.dispose();
    }
  }

  private async continueInChat(arg: unknown): Promise<void> {
    let id: number | null = null;
    if (typeof arg === 'number' && Number.isInteger(arg)) id = arg;
    else if (arg && typeof arg === 'object' && this.threads.has(arg as vscode.CommentThread)) id = this.threads.get(arg as vscode.CommentThread)!.conversationId;
    if (id === null) return void vscode.window.showInformationMessage('Codex Vault: this answer is not stored yet; ask again.');
    await this.opts.continueInChat(id);
  }

  private async openCitation(arg: unknown): Promise<void> {
    // Arguments come from a command: URI, so they are untrusted: validate like a webview message.
    const parsed = locationSchema.check(arg);
    if (!parsed.ok) return void vscode.window.showWarningMessage(`Codex Vault: not a citation (${parsed.error})`);
    try {
      await openLocation(parsed.value);
    } catch (e) {
      void vscode.window.showWarningMessage(`Codex Vault: cannot open ${parsed.value.path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

}

function toCitation(s: Source): Citation {
  return { n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine };
}

/** The user's question shown as text (not Markdown): nothing in it can become a link. */
function plain(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(text);
  return md;
}
