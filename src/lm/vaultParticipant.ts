// The `@vault` chat participant (VS Code 1.90+): `/search` lists the vault's passages with anchors to
// their lines; `/ask` and a plain question answer from the vault, with a reference for each citation.
// Answers use the model picked in Copilot Chat (`request.model`) when there is one: the vault worker
// gathers the sources (the chat's retrieval and "not in the vault" check) and answerFromSources()
// fits, streams and checks them with that model -- the local engine's own prompt and citation rules.
// Without an editor model (or when it refuses), the local engine answers through the chat's backend,
// and a follow-up in the same Copilot Chat session continues the same vault conversation.
//
// Everything shown is escaped (appendText): note text and model output never become markup, links
// or remote images in the chat view, whatever a note (or a model reading it) says.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { citation, plainSnippet } from '../agentTools/citeable';
import { Disposable } from '../services/disposable';
import type { Log } from '../services/log';
import type { Settings } from '../services/settings';
import type { VaultService } from '../services/vaultService';
import type { PromptMessage } from '../app/ask/answerModel';
import type { SourceRef } from '../vault/conversations/types';
import { answerFromSources, notFoundText, type GatheredSources } from '../app/ask/ask';
import type { ChatBackend } from '../views/chat/chatBackend';
import { portAnswerModel, type ChatModelPort } from './languageModelAnswer';
import { displayPath, noteLocation } from './notePaths';

export const PARTICIPANT_ID = 'codexVault.vault';
const SEARCH_LIMIT = 10;
const ANSWER_TOKENS = 1024;
/** Earlier turns given with a follow-up (answerFromSources trims them to the token budget). */
const MAX_HISTORY = 10;

/** What a handled request reports back (kept by VS Code in the chat history). */
export interface VaultChatMetadata {
  command: 'search' | 'ask';
  /** Local-engine answers: the vault conversation a follow-up continues. */
  conversationId?: number;
  notFound?: boolean;
  /** The request was cancelled while the answer streamed (what streamed stays). */
  cancelled?: boolean;
  /** 'editor': the model picked in Copilot Chat; 'local': the vault's engine. */
  answeredBy?: 'editor' | 'local';
}

export interface VaultParticipantDeps {
  vault: Pick<VaultService, 'search' | 'call'>;
  chat: Pick<ChatBackend, 'ask'>;
  settings: Pick<Settings, 'current'>;
  log: Log;
}

/** One numbered place of an answer, as the stream shows it. */
type Place = Omit<SourceRef, 'title'>;

function text(s: string): vscode.MarkdownString {
  return new vscode.MarkdownString().appendText(s);
}

/** What text() escaped, as plain text again (for a response given back to a model as history). */
function plainText(markdown: string): string {
  return markdown.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1');
}

function signalOf(token: vscode.CancellationToken): AbortSignal {
  const abort = new AbortController();
  if (token.isCancellationRequested) abort.abort();
  else token.onCancellationRequested(() => abort.abort());
  return abort.signal;
}

/** A LanguageModelChat as the port the answer adapter needs (the system prompt goes first as a user message: the stable API has no system role). */
function editorModelPort(model: vscode.LanguageModelChat, token: vscode.CancellationToken): ChatModelPort {
  return {
    maxInputTokens: model.maxInputTokens,
    countTokens: async (t) => model.countTokens(t, token),
    async *stream(messages: PromptMessage[], signal: AbortSignal) {
      const cts = new vscode.CancellationTokenSource();
      const cancel = (): void => cts.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      const sub = token.onCancellationRequested(cancel);
      try {
        const msgs = messages.map((m) => (m.role === 'assistant' ? vscode.LanguageModelChatMessage.Assistant(m.content) : vscode.LanguageModelChatMessage.User(m.content)));
        const res = await model.sendRequest(msgs, { justification: 'Codex Vault answers your question from the notes in this workspace.' }, cts.token);
        for await (const piece of res.text) yield piece;
      } finally {
        signal.removeEventListener('abort', cancel);
        sub.dispose();
        cts.dispose();
      }
    },
  };
}

/** Earlier turns with @vault in this chat, oldest first, as the prompt's history (the model picked in Copilot Chat keeps no vault conversation). */
function historyOf(context: vscode.ChatContext): PromptMessage[] {
  const out: PromptMessage[] = [];
  for (const turn of context.history) {
    if (turn.participant !== PARTICIPANT_ID) continue;
    if (turn instanceof vscode.ChatRequestTurn) {
      if (turn.command !== 'search' && turn.prompt.trim()) out.push({ role: 'user', content: turn.prompt });
    } else if (turn instanceof vscode.ChatResponseTurn && (turn.result.metadata as Partial<VaultChatMetadata> | undefined)?.command === 'ask') {
      const said = plainText(turn.response.map((p) => (p instanceof vscode.ChatResponseMarkdownPart ? p.value.value : '')).join('')).trim();
      if (said) out.push({ role: 'assistant', content: said });
    }
  }
  return out.slice(-MAX_HISTORY);
}

function lastConversation(context: vscode.ChatContext): number | undefined {
  for (let i = context.history.length - 1; i >= 0; i--) {
    const turn = context.history[i];
    if (turn instanceof vscode.ChatResponseTurn && turn.participant === PARTICIPANT_ID) {
      const id = (turn.result.metadata as Partial<VaultChatMetadata> | undefined)?.conversationId;
      if (typeof id === 'number') return id;
    }
  }
  return undefined;
}

export class VaultChatHandler {
  constructor(private readonly deps: VaultParticipantDeps) {}

  /** The participant's request handler (VS Code calls it; the in-host tests call it with a recording stream). */
  readonly handle = async (request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> => {
    try {
      if (request.command === 'search') return await this.search(request.prompt, stream, token);
      return await this.ask(request, context, stream, token);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const command = request.command === 'search' ? 'search' : 'ask';
      if (token.isCancellationRequested) {
        this.deps.log.info(`@vault: cancelled (${message})`);
        return { metadata: { command, cancelled: true } satisfies VaultChatMetadata };
      }
      this.deps.log.warn(`@vault: ${message}`);
      return { errorDetails: { message }, metadata: { command } satisfies VaultChatMetadata };
    }
  };

  private async search(prompt: string, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const query = prompt.trim();
    const metadata: VaultChatMetadata = { command: 'search' };
    if (!query) {
      stream.markdown('Give the words to look for, e.g. `@vault /search ownership rules`.');
      return { metadata };
    }
    stream.progress('Searching the vault…');
    const res = await this.deps.vault.search(query, this.deps.settings.current.searchMode, SEARCH_LIMIT, signalOf(token));
    if (token.isCancellationRequested) return { metadata };
    if (res.fallbackReason) stream.markdown(text(`${res.fallbackReason}\n\n`));
    if (res.items.length === 0) {
      stream.markdown(text(`No notes in the vault match "${query}".`));
      return { metadata };
    }
    stream.markdown(text(`${res.items.length} passage${res.items.length === 1 ? '' : 's'} in the vault for "${query}":\n\n`));
    res.items.forEach((h, i) => {
      const where = displayPath(h.root, h.path);
      stream.markdown(`${i + 1}. `);
      stream.anchor(noteLocation(h.root, h.path, h.startLine, h.endLine), citation(where, h.startLine, h.endLine));
      const heading = h.heading || h.title;
      if (heading) stream.markdown(text(` — ${heading}`));
      const snippet = plainSnippet(h.snippet);
      stream.markdown(snippet ? text(`\n\n   ${snippet}\n\n`) : '\n\n');
    });
    return { metadata };
  }

  private async ask(request: vscode.ChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    const question = request.prompt.trim();
    if (!question) {
      stream.markdown('Ask a question about the notes in this workspace, e.g. `@vault how do we deploy?`, or `/search` for passages.');
      return { metadata: { command: 'ask' } satisfies VaultChatMetadata };
    }
    const model = (request as { model?: vscode.LanguageModelChat }).model;
    if (model && typeof model.sendRequest === 'function') {
      const answered = await this.askWithEditorModel(question, historyOf(context), model, stream, token);
      if (answered) return answered;
    }
    return this.askLocally(question, context, stream, token);
  }

  /** Answers with the editor's model; undefined when that model refused before saying anything (the local engine answers then). */
  private async askWithEditorModel(question: string, history: PromptMessage[], model: vscode.LanguageModelChat, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult | undefined> {
    stream.progress('Searching the vault…');
    const gathered: GatheredSources = await this.deps.vault.call('grounding', 'gather', question, { history });
    if (gathered.notFound) {
      this.notFound(gathered.closest.map((c, i) => ({ n: i + 1, root: c.root, path: c.path, startLine: c.startLine, endLine: c.endLine, heading: c.heading })), stream);
      return { metadata: { command: 'ask', notFound: true, answeredBy: 'editor' } satisfies VaultChatMetadata };
    }
    let streamed = false;
    try {
      const r = await answerFromSources(portAnswerModel(editorModelPort(model, token), ANSWER_TOKENS), gathered, {
        maxAnswerTokens: ANSWER_TOKENS,
        history,
        signal: signalOf(token),
        onText: (t) => {
          streamed = true;
          stream.markdown(text(t));
        },
      });
      const given: Place[] = r.sources.map((s) => ({ n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine, heading: s.heading }));
      const metadata: VaultChatMetadata = { command: 'ask', answeredBy: 'editor', ...(r.cancelled ? { cancelled: true } : {}) };
      if (!r.cancelled) this.cited(given.filter((p) => r.citations.some((c) => c.n === p.n)), given, stream);
      return { metadata };
    } catch (err) {
      if (streamed || token.isCancellationRequested || !(err instanceof vscode.LanguageModelError)) throw err;
      this.deps.log.warn(`@vault: ${model.name} refused (${err.code}: ${err.message}); answering with the local model`);
      stream.progress(`${model.name} is not available here (${err.message}); answering with the vault's local model…`);
      return undefined;
    }
  }

  private async askLocally(question: string, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken): Promise<vscode.ChatResult> {
    stream.progress('Searching the vault and asking the local model…');
    let conversationId = lastConversation(context) ?? null;
    const answer = await this.deps.chat.ask(randomUUID(), { conversationId, question, context: [], vaultOnly: true }, {
      onStart: (info) => { conversationId = info.conversationId; },
      onSources: () => undefined,
      onToken: (t) => stream.markdown(text(t)),
    }, signalOf(token));
    const metadata: VaultChatMetadata = { command: 'ask', answeredBy: 'local', ...(conversationId !== null ? { conversationId } : {}) };
    const places = (list: readonly { n: number; root: string; path: string; startLine: number; endLine: number }[]): Place[] =>
      list.map((c) => ({ n: c.n, root: c.root, path: c.path, startLine: c.startLine, endLine: c.endLine, heading: answer.sources.find((s) => s.n === c.n)?.headings ?? '' }));
    if (answer.notFound) {
      this.notFound(places(answer.sources), stream);
      return { metadata: { ...metadata, notFound: true } };
    }
    if (answer.status === 'cancelled') return { metadata: { ...metadata, cancelled: true } };
    this.cited(places(answer.citations), places(answer.sources), stream);
    return { metadata };
  }

  /** "Not in the vault", plainly, with the closest notes to look at. */
  private notFound(closest: readonly Place[], stream: vscode.ChatResponseStream): void {
    stream.markdown(text(notFoundText(closest.length)));
    this.placeList(closest, stream);
  }

  /**
   * After an answer: an anchor to the lines of each cited place, and each as a reference of the
   * response. An answer that cites nothing says so, and lists the places it was given instead.
   */
  private cited(cited: readonly Place[], given: readonly Place[], stream: vscode.ChatResponseStream): void {
    if (cited.length === 0) stream.markdown(text('\n\nThis answer cites none of the notes it was given; check it against them:'));
    const shown = cited.length > 0 ? cited : given;
    this.placeList(shown, stream);
    for (const p of shown) stream.reference(noteLocation(p.root, p.path, p.startLine, p.endLine));
  }

  private placeList(places: readonly Place[], stream: vscode.ChatResponseStream): void {
    if (places.length === 0) return;
    stream.markdown('\n\n');
    for (const p of places) {
      stream.markdown(`\n[${p.n}] `);
      stream.anchor(noteLocation(p.root, p.path, p.startLine, p.endLine), citation(displayPath(p.root, p.path), p.startLine, p.endLine));
      if (p.heading) stream.markdown(text(` — ${p.heading}`));
    }
  }
}

/** Creates the participant where vscode.chat.createChatParticipant exists (contributed in package.json: chatParticipants). */
export class VaultChatParticipant extends Disposable {
  readonly handler: VaultChatHandler;
  readonly registered: boolean;

  constructor(deps: VaultParticipantDeps, extensionUri: vscode.Uri) {
    super();
    this.handler = new VaultChatHandler(deps);
    const chat = (vscode as { chat?: Partial<typeof vscode.chat> }).chat;
    if (!chat || typeof chat.createChatParticipant !== 'function') {
      deps.log.info('@vault chat participant not registered: this VS Code has no vscode.chat.createChatParticipant (1.90+)');
      this.registered = false;
      return;
    }
    try {
      const participant = this._register(chat.createChatParticipant(PARTICIPANT_ID, this.handler.handle));
      participant.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'codex-vault.svg');
      this.registered = true;
    } catch (err) {
      // An optional surface never stops activation.
      deps.log.warn(`@vault chat participant not registered: ${err instanceof Error ? err.message : String(err)}`);
      this.registered = false;
    }
  }
}
