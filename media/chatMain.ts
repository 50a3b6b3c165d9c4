// The Codex Vault chat webview (sidebar). It renders state pushed by the host and sends requests;
// it holds no vault logic. Every message from the host is validated (parseFromHost) before use.
import {
  parseFromHost, type ChatMessage, type Citation, type ContextItem, type ConversationSummary, type EventOf, type FromHost,
  type FromWebview, type ModelRole, type ModelState, type RoleState, type Source,
} from '../src/views/protocol/chatProtocol';
import { formatBytes, h, icon, iconButton, lines, textButton } from './chat/dom';
import { renderMarkdown } from './chat/markdown';
import { retrievalNote } from '../src/views/common/retrievalNote';

interface VsCodeApi { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

type Outgoing = FromWebview extends infer T ? T extends unknown ? Omit<T, 'id'> : never : never;
type Conversation = { id: number; title: string; messages: ChatMessage[] };

/** What survives the view being hidden or the window reloading (besides what the host stores). */
interface SavedState { draft: string; context: ContextItem[]; vaultOnly: boolean | null; embeddingNoticeDismissed?: boolean }

interface AskInFlight {
  /** Issued by the host in its answer to the ask (null until that arrives). */
  answerId: string | null;
  question: string;
  context: ContextItem[];
  vaultOnly: boolean;
  sources: Source[];
  text: string;
  stopped: boolean;
  el: HTMLElement;
}

const saved = (vscode.getState() ?? {}) as Partial<SavedState>;
const state = {
  conversations: [] as ConversationSummary[],
  conversation: null as Conversation | null,
  models: null as ModelState | null,
  context: Array.isArray(saved.context) ? saved.context : [],
  vaultOnly: typeof saved.vaultOnly === 'boolean' ? saved.vaultOnly : null as boolean | null,
  ask: null as AskInFlight | null,
  historyOpen: false,
  initialised: false,
  embeddingNoticeDismissed: saved.embeddingNoticeDismissed === true,
};

// ---------------------------------------------------------------- requests

type Response = EventOf<'response'>;
let nextId = 1;
const pending = new Map<number, (r: Response) => void>();

/** Sends a request; resolves with the host's response to it (its `error`: null on success). */
function request(msg: Outgoing): Promise<Response> {
  const id = nextId++;
  vscode.postMessage({ ...msg, id });
  return new Promise((resolve) => pending.set(id, resolve));
}

/** Sends a request; resolves with its error (null on success). */
async function send(msg: Outgoing): Promise<string | null> {
  return (await request(msg)).error;
}

function persist(): void {
  const s: SavedState = { draft: input.value, context: state.context, vaultOnly: state.vaultOnly, embeddingNoticeDismissed: state.embeddingNoticeDismissed };
  vscode.setState(s);
}

// ---------------------------------------------------------------- layout

const app = document.getElementById('app') ?? document.body;
const modelSelect = h('select', { id: 'model-select', 'aria-label': 'Chat model' });
const historyButton = iconButton('history', 'Conversation history', () => toggleHistory());
historyButton.setAttribute('aria-expanded', 'false');
const header = h('header', { class: 'toolbar' },
  iconButton('add', 'New conversation', () => void newConversation()),
  historyButton,
  h('span', { class: 'title', id: 'conversation-title' }),
  modelSelect,
);
const historyPanel = h('section', { class: 'history', id: 'history', 'aria-label': 'Conversations', hidden: true });
const modelsPanel = h('section', { class: 'models-empty', id: 'models-empty', 'aria-label': 'Models' });
const transcript = h('main', { class: 'transcript', id: 'transcript', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
const emptyHint = h('div', { class: 'empty-hint' },
  h('p', {}, 'Ask a question about the notes in this workspace. Answers cite the lines they come from.'),
  h('p', { class: 'muted' }, 'Enter sends, Shift+Enter adds a line, Esc stops an answer.'));
const chips = h('div', { class: 'context-chips', id: 'context-chips', role: 'list', 'aria-label': 'Context' });
const input = h('textarea', { id: 'question', rows: '3', placeholder: 'Ask the vault…', 'aria-label': 'Question' });
const sendButton = iconButton('send', 'Send (Enter)', () => void ask(), 'primary send');
const stopButton = iconButton('debug-stop', 'Stop (Esc)', () => stop(), 'primary stop');
stopButton.hidden = true;
const vaultOnlyBox = h('input', { type: 'checkbox', id: 'vault-only' });
const composer = h('footer', { class: 'composer' },
  chips,
  h('div', { class: 'input-row' }, input, sendButton, stopButton),
  h('div', { class: 'composer-tools' },
    iconButton('file', 'Add the current file as context', () => void send({ type: 'addContext', kind: 'file' })),
    iconButton('selection', 'Add the editor selection as context', () => void send({ type: 'addContext', kind: 'selection' })),
    h('label', { class: 'vault-only', for: 'vault-only' }, vaultOnlyBox, 'Answer only from the vault'),
  ),
);
const hover = h('div', { class: 'cite-hover', id: 'cite-hover', role: 'tooltip', hidden: true });
app.append(header, historyPanel, modelsPanel, transcript, composer, hover);
input.value = typeof saved.draft === 'string' ? saved.draft : '';

// ---------------------------------------------------------------- citations

function sourceLabel(s: { path: string; startLine: number; endLine: number }): string {
  return `${s.path}:${lines(s.startLine, s.endLine)}`;
}

function openLocation(c: Citation): void {
  void send({ type: 'openLocation', location: { root: c.root, path: c.path, startLine: c.startLine, endLine: c.endLine } });
}

function showHover(anchor: HTMLElement, src: Source | undefined, c: Citation): void {
  hover.replaceChildren(
    h('div', { class: 'cite-hover-title' }, sourceLabel(c)),
    h('div', { class: 'cite-hover-headings' }, src?.headings ?? ''),
    ...(unsupported(c) ? [h('div', { class: 'cite-hover-unsupported' }, icon('warning'), ` The source does not seem to say: “${c.support!.sentence}”`)] : []),
    h('pre', { class: 'cite-hover-text' }, src?.text ?? 'The source text is not available.'),
  );
  hover.hidden = false;
  const r = anchor.getBoundingClientRect();
  const top = r.bottom + 4 + hover.offsetHeight > window.innerHeight ? Math.max(0, r.top - hover.offsetHeight - 4) : r.bottom + 4;
  hover.style.top = `${top}px`;
  hover.style.left = `${Math.max(4, Math.min(r.left, window.innerWidth - hover.offsetWidth - 4))}px`;
  anchor.setAttribute('aria-describedby', 'cite-hover');
}

function hideHover(anchor?: HTMLElement): void {
  hover.hidden = true;
  anchor?.removeAttribute('aria-describedby');
}

/** The support check found that the source does not seem to say what cites it. */
function unsupported(c: Citation): boolean {
  return c.support !== undefined && !c.support.supported;
}

/** A chip for [n]; `inline` chips sit in the answer text, the others in the sources row under it. */
function citationChip(c: Citation, src: Source | undefined, inline: boolean): HTMLElement {
  const weak = unsupported(c);
  const label = `Source ${c.n}: ${sourceLabel(c)}${weak ? ' (does not seem to say this)' : ''}`;
  const b = h('button', { class: `cite${inline ? ' cite-inline' : ''}${weak ? ' cite-unsupported' : ''}`, type: 'button', 'aria-label': label, 'data-n': String(c.n), 'data-supported': c.support ? String(c.support.supported) : undefined },
    inline ? `${c.n}${weak ? '?' : ''}` : h('span', {}, h('span', { class: 'cite-n' }, `${c.n}${weak ? '?' : ''}`), ` ${sourceLabel(c)}`));
  b.addEventListener('click', () => openLocation(c));
  b.addEventListener('mouseenter', () => showHover(b, src, c));
  b.addEventListener('focus', () => showHover(b, src, c));
  b.addEventListener('mouseleave', () => hideHover(b));
  b.addEventListener('blur', () => hideHover(b));
  return b;
}

function copyButton(code: string): HTMLElement {
  const b = iconButton('copy', 'Copy code', () => {
    void send({ type: 'copyText', text: code }).then((err) => flash(b, err, 'copy'));
  }, 'copy-code');
  return b;
}

/** Renders an answer's Markdown with chips for `citations` only: any other [n] stays plain text. */
function renderAnswer(target: HTMLElement, text: string, citations: Citation[], sources: Source[]): void {
  const byN = new Map(citations.map((c) => [c.n, c]));
  const srcByN = new Map(sources.map((s) => [s.n, s]));
  renderMarkdown(target, text, {
    chip: (n) => { const c = byN.get(n); return c ? citationChip(c, srcByN.get(n), true) : null; },
    copyButton,
  });
}

// ---------------------------------------------------------------- transcript

function userBubble(text: string, context: ContextItem[]): HTMLElement {
  return h('div', { class: 'msg user' },
    h('div', { class: 'msg-role' }, 'You'),
    context.length ? h('div', { class: 'msg-context' }, ...context.map((c) => h('span', { class: 'chip static' }, icon(c.kind === 'file' ? 'file' : 'selection'), c.label))) : null,
    h('div', { class: 'msg-body plain' }, text));
}

/**
 * The sources row under an answer: every source the model was given (a real note, so a chip that
 * opens its lines), cited ones first and marked. Citations the model invented never get here.
 */
function sourcesRow(citations: Citation[], sources: Source[]): HTMLElement | null {
  const cited = new Set(citations.map((c) => c.n));
  const all = new Map<number, Citation>();
  for (const c of citations) all.set(c.n, c);
  for (const s of sources) if (!all.has(s.n)) all.set(s.n, { n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine });
  if (all.size === 0) return null;
  const srcByN = new Map(sources.map((s) => [s.n, s]));
  const ordered = [...all.values()].sort((a, b) => Number(cited.has(b.n)) - Number(cited.has(a.n)) || a.n - b.n);
  return h('div', { class: 'sources', role: 'list', 'aria-label': 'Sources' },
    h('span', { class: 'sources-label' }, 'Sources:'),
    ...ordered.map((c) => {
      const chip = citationChip(c, srcByN.get(c.n), false);
      if (!cited.has(c.n)) { chip.classList.add('uncited'); chip.setAttribute('aria-label', `${chip.getAttribute('aria-label')} (given, not cited)`); }
      return h('span', { role: 'listitem' }, chip);
    }));
}

function assistantBubble(m: ChatMessage, retry?: () => void): HTMLElement {
  const body = h('div', { class: 'msg-body markdown' });
  renderAnswer(body, m.content, m.citations, m.sources);
  const notes: (HTMLElement | null)[] = [];
  if (m.status === 'cancelled') notes.push(h('div', { class: 'note' }, icon('debug-stop'), ' Stopped.'));
  if (m.status === 'error') notes.push(errorNote('The answer failed before it finished.', retry));
  if (m.notFound) notes.push(h('div', { class: 'note' }, icon('info'), ' The vault does not seem to contain this.'));
  else if (m.status === 'complete' && m.citations.length === 0) notes.push(h('div', { class: 'note warn' }, icon('warning'), ' This answer cites no source.'));
  if (m.invented?.length) notes.push(h('div', { class: 'note warn' }, icon('warning'), ` Removed citations to sources that were not given: ${m.invented.map((n) => `[${n}]`).join(' ')}`));
  const searched = retrievalNote(m.retrieval);
  if (searched) notes.push(h('div', { class: 'note retrieval' }, icon('search'), ` ${searched}`));
  const stats = m.stats ? h('div', { class: 'stats muted', 'data-tokens': String(m.stats.tokens), 'data-tps': String(m.stats.tokensPerSecond) },
    `${m.stats.tokens} tokens · ${Math.round(m.stats.tokensPerSecond).toLocaleString()} tokens/s`) : null;
  return h('div', { class: 'msg assistant', 'data-status': m.status },
    h('div', { class: 'msg-role' }, 'Codex Vault'), body, sourcesRow(m.citations, m.sources), ...notes, stats, answerActions(m));
}

/** Shows `done` on a button for a moment after its request succeeded (or an error icon), then `rest` again. */
function flash(b: HTMLElement, err: string | null, rest: string): void {
  b.replaceChildren(icon(err ? 'error' : 'check'));
  setTimeout(() => b.replaceChildren(icon(rest)), 1500);
}

/**
 * Copy and Bookmark for a stored answer. Not for "not in the vault" replies, failed answers or ones
 * still streaming. The bookmark is made by the host from the stored message, so only ids go out.
 */
function answerActions(m: ChatMessage): HTMLElement | null {
  const conversationId = state.conversation?.id;
  if (conversationId === undefined || m.notFound || !m.content.trim() || (m.status !== 'complete' && m.status !== 'cancelled')) return null;
  const copy = iconButton('copy', 'Copy answer', () => {
    void send({ type: 'copyText', text: m.content }).then((err) => flash(copy, err, 'copy'));
  }, 'copy-answer');
  const mark = iconButton('bookmark', 'Bookmark answer', () => {
    void send({ type: 'bookmarkAnswer', conversationId, messageId: m.id }).then((err) => {
      if (err) return flash(mark, err, 'bookmark');
      mark.replaceChildren(icon('check'));
      mark.setAttribute('aria-label', 'Bookmarked');
      mark.title = 'Bookmarked (see the Bookmarks view)';
    });
  }, 'bookmark-answer');
  return h('div', { class: 'msg-actions', role: 'group', 'aria-label': 'Answer actions' }, copy, mark);
}

function errorNote(text: string, retry?: () => void): HTMLElement {
  return h('div', { class: 'note error', role: 'alert' }, icon('error'), ` ${text} `,
    retry ? textButton('Retry', retry, 'retry', 'refresh') : null);
}

function renderTranscript(): void {
  const c = state.conversation;
  const items: HTMLElement[] = [];
  for (const m of c?.messages ?? []) {
    items.push(m.role === 'user' ? userBubble(m.content, []) : assistantBubble(m));
  }
  if (state.ask) items.push(state.ask.el);
  transcript.replaceChildren(...(items.length ? items : [emptyHint]));
  (document.getElementById('conversation-title') as HTMLElement).textContent = c?.title ?? 'New conversation';
  transcript.scrollTop = transcript.scrollHeight;
}

// Streaming: tokens arrive faster than frames; re-render at most once per frame.
let renderQueued = false;
function queueStreamRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    const a = state.ask;
    if (!a) return;
    const body = a.el.querySelector<HTMLElement>('.msg.assistant .msg-body')!;
    // While streaming, [n] is a link when source n was given to the model; the final message
    // replaces these with the verified citations.
    if (a.sources.length === 0) {
      // Sources not known yet: [n] stays neutral text until they are (never a link, never "invalid").
      renderMarkdown(body, a.text, { chip: (n) => h('span', { class: 'cite-pending' }, `[${n}]`), copyButton });
    } else {
      const cites: Citation[] = a.sources.map((s) => ({ n: s.n, root: s.root, path: s.path, startLine: s.startLine, endLine: s.endLine }));
      renderAnswer(body, a.text, cites, a.sources);
    }
    const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
    if (nearBottom) transcript.scrollTop = transcript.scrollHeight;
  });
}

function setBusy(busy: boolean): void {
  sendButton.hidden = busy;
  stopButton.hidden = !busy;
  transcript.setAttribute('aria-busy', busy ? 'true' : 'false');
  modelSelect.disabled = busy;
  document.body.classList.toggle('busy', busy);
}

// ---------------------------------------------------------------- asking

async function ask(retryOf?: { question: string; context: ContextItem[]; vaultOnly: boolean }): Promise<void> {
  if (state.ask && !state.ask.stopped) return;
  // A stopped ask whose final message has not arrived yet: it lands in the history by itself.
  if (state.ask?.stopped) state.ask = null;
  const question = retryOf?.question ?? input.value.trim();
  if (!question) return;
  const context = retryOf?.context ?? [...state.context];
  const vaultOnly = retryOf?.vaultOnly ?? vaultOnlyBox.checked;
  const a: AskInFlight = { answerId: null, question, context, vaultOnly, sources: [], text: '', stopped: false, el: streamingPair(question, context) };
  state.ask = a;
  if (!retryOf) {
    input.value = '';
    state.context = [];
    renderChips();
    persist();
  }
  setBusy(true);
  renderTranscript();
  const r = await request({ type: 'ask', conversationId: state.conversation?.id ?? null, question, context, vaultOnly });
  if (r.answerId) {
    // The host's id for this answer: its events carry it, and Stop names it.
    a.answerId = r.answerId;
    if (a.stopped) void send({ type: 'cancel', answerId: r.answerId });
  } else if (state.ask === a) {
    onAnswerEvent({ type: 'answerError', answerId: '', error: r.error ?? 'The question was not accepted.', partial: '' }, a);
  }
}

/** The exchange while it streams: the question (when it is not among the stored messages) and the answer so far. */
function streamingPair(question: string | null, context: ContextItem[]): HTMLElement {
  return h('div', { class: 'msg-pair streaming' },
    question === null ? null : userBubble(question, context),
    h('div', { class: 'msg assistant', 'data-status': 'streaming' },
      h('div', { class: 'msg-role' }, 'Codex Vault'),
      h('div', { class: 'msg-body markdown' }, h('span', { class: 'thinking' }, 'Searching the vault…'))));
}

/**
 * Follows an answer that was streaming when this page loaded (the view was hidden and shown again):
 * it goes on in place, with what streamed so far, and Stop still stops it.
 */
function reattach(live: NonNullable<EventOf<'init'>['streaming']>): void {
  if (live.userMessage && !state.conversation?.messages.some((m) => m.id === live.userMessage?.id)) addMessage(live.userMessage);
  const a: AskInFlight = {
    answerId: live.answerId, question: live.question, context: live.context, vaultOnly: live.vaultOnly,
    sources: live.sources, text: live.text, stopped: false, el: streamingPair(live.userMessage ? null : live.question, live.context),
  };
  state.ask = a;
  setBusy(true);
  if (a.text) queueStreamRender();
}

/** Stop at once: the partial answer stays on screen; tokens still in flight are dropped. */
function stop(): void {
  const a = state.ask;
  if (!a || a.stopped) return;
  a.stopped = true;
  // Without its id yet, the cancel goes out as soon as the host's answer to the ask brings it.
  if (a.answerId) void send({ type: 'cancel', answerId: a.answerId });
  a.el.classList.remove('streaming');
  a.el.querySelector('.thinking')?.remove();
  a.el.querySelector('.msg.assistant')?.append(h('div', { class: 'note' }, icon('debug-stop'), ' Stopped.'));
  setBusy(false);
}

function finishAsk(): void {
  state.ask = null;
  setBusy(false);
}

/** Messages stay in stored order (ids grow in the order they were stored), whatever order events came in. */
function addMessage(m: ChatMessage): void {
  const list = state.conversation?.messages;
  if (!list) return;
  list.push(m);
  list.sort((a, b) => a.id - b.id);
}

function onAnswerEvent(ev: Extract<FromHost, { answerId: string }>, own?: AskInFlight): void {
  const a = own ?? state.ask;
  if (!a || (!own && a.answerId !== ev.answerId)) {
    // A late event for an ask that was stopped: only its final message matters (it is stored).
    if (ev.type === 'answerDone' && state.conversation && !state.conversation.messages.some((m) => m.id === ev.message.id)) {
      addMessage(ev.message);
      renderTranscript();
    }
    return;
  }
  switch (ev.type) {
    case 'answerStart':
      if (!state.conversation || state.conversation.id !== ev.conversationId) {
        state.conversation = { id: ev.conversationId, title: ev.title, messages: [] };
      }
      addMessage(ev.userMessage);
      // The question is a stored message now: shown with the others, no longer in the streaming pair.
      a.el.querySelector('.msg.user')?.remove();
      renderTranscript();
      break;
    case 'sources':
      a.sources = ev.sources;
      break;
    case 'token':
      if (a.stopped) return;
      a.text += ev.text;
      queueStreamRender();
      break;
    case 'answerDone':
      addMessage(ev.message);
      finishAsk();
      renderTranscript();
      break;
    case 'answerError': {
      const retry = { question: a.question, context: a.context, vaultOnly: a.vaultOnly };
      a.el.classList.remove('streaming');
      a.el.querySelector('.thinking')?.remove();
      const body = a.el.querySelector<HTMLElement>('.msg.assistant .msg-body')!;
      if (ev.partial) renderAnswer(body, ev.partial, [], a.sources);
      a.el.querySelector('.msg.assistant')?.append(errorNote(ev.error, () => { a.el.remove(); void ask(retry); }));
      // The failed exchange stays on screen (not in `messages`, which mirrors what is stored).
      state.ask = null;
      setBusy(false);
      transcript.append(a.el);
      break;
    }
  }
}

// ---------------------------------------------------------------- conversations

async function newConversation(): Promise<void> {
  if (state.ask) stop();
  if (state.historyOpen) toggleHistory(false);
  await send({ type: 'newConversation' });
}

function toggleHistory(open = !state.historyOpen): void {
  state.historyOpen = open;
  historyPanel.hidden = !open;
  historyButton.setAttribute('aria-expanded', String(open));
  if (open) { renderHistory(); (historyPanel.querySelector('button') as HTMLButtonElement | null)?.focus(); }
}

function renderHistory(): void {
  if (state.conversations.length === 0) {
    historyPanel.replaceChildren(h('p', { class: 'muted' }, 'No conversations yet.'));
    return;
  }
  const list = h('ul', { class: 'history-list', role: 'list' });
  for (const c of state.conversations) list.append(historyRow(c));
  historyPanel.replaceChildren(list);
}

function historyRow(c: ConversationSummary): HTMLLIElement {
  const li = h('li', { class: c.id === state.conversation?.id ? 'history-item current' : 'history-item', 'data-id': String(c.id) });
  const open = h('button', { class: 'history-open', type: 'button', title: new Date(c.updatedAt).toLocaleString() }, c.title);
  open.addEventListener('click', () => { if (state.ask) stop(); void send({ type: 'openConversation', conversationId: c.id }); toggleHistory(false); });
  li.append(open,
    iconButton('edit', `Rename "${c.title}"`, () => startRename(li, c), 'rename'),
    iconButton('trash', `Delete "${c.title}"`, () => confirmDelete(li, c), 'delete'));
  return li;
}

function startRename(li: HTMLLIElement, c: ConversationSummary): void {
  const field = h('input', { type: 'text', class: 'rename-input', 'aria-label': 'New title', value: c.title });
  field.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      const title = field.value.trim();
      if (title) void send({ type: 'renameConversation', conversationId: c.id, title });
      else renderHistory();
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      renderHistory();
    }
  });
  li.replaceChildren(field);
  field.focus();
  field.select();
}

function confirmDelete(li: HTMLLIElement, c: ConversationSummary): void {
  const yes = textButton('Delete', () => void send({ type: 'deleteConversation', conversationId: c.id }), 'danger confirm-delete');
  li.replaceChildren(h('span', { class: 'confirm' }, `Delete "${c.title}"?`), yes, textButton('Cancel', () => renderHistory()));
  yes.focus();
}

// ---------------------------------------------------------------- context chips

function renderChips(): void {
  chips.replaceChildren(...state.context.map((c, i) => h('span', { class: 'chip', role: 'listitem', title: c.kind === 'selection' ? c.text ?? c.label : c.path },
    icon(c.kind === 'file' ? 'file' : 'selection'), h('span', { class: 'chip-label' }, c.label),
    iconButton('close', `Remove context ${c.label}`, () => { state.context.splice(i, 1); renderChips(); persist(); input.focus(); }, 'chip-remove'))));
  chips.hidden = state.context.length === 0;
}

// ---------------------------------------------------------------- models

function roleEmpty(r: RoleState): boolean {
  return r.current === null && r.available.length === 0;
}

function offerSummary(r: RoleState): HTMLElement | null {
  if (r.downloading) {
    const pct = Math.round(r.downloading.fraction * 100);
    return h('div', { class: 'download' }, h('progress', { max: '100', value: String(pct), 'aria-label': `Downloading ${r.downloading.manifestId}` }), ` ${pct}%`);
  }
  const best = r.offers.find((o) => o.fit === 'fits') ?? r.offers[0];
  return best ? h('p', { class: 'muted' }, `Suggested: ${best.label} (${formatBytes(best.sizeBytes)}, ${best.fit === 'fits' ? 'fits this machine' : best.fitDetail}).`) : null;
}

function renderModels(): void {
  const m = state.models;
  if (!m) return;
  modelSelect.replaceChildren(...m.chat.available.map((c) => h('option', { value: c.id, selected: c.id === m.chat.current?.id }, c.label)));
  if (m.chat.current && !m.chat.available.some((c) => c.id === m.chat.current?.id)) {
    modelSelect.prepend(h('option', { value: m.chat.current.id, selected: true }, m.chat.current.label));
  }
  modelSelect.hidden = m.chat.available.length === 0 && !m.chat.current;
  const parts: HTMLElement[] = [];
  if (roleEmpty(m.chat)) {
    parts.push(h('div', { class: 'empty-state chat-model', role: 'region', 'aria-label': 'No chat model' },
      h('h2', {}, icon('sparkle'), ' No chat model yet'),
      h('p', {}, 'Answers come from a GGUF model running on this machine. Choose one from the manifest to download (its fit for this machine is shown), or add a model file you already have.'),
      offerSummary(m.chat),
      textButton('Choose a chat model…', () => void send({ type: 'pickModel', role: 'chat' }), 'primary pick-chat-model', 'cloud-download')));
  }
  if (roleEmpty(m.embedding) && !state.embeddingNoticeDismissed) {
    parts.push(h('div', { class: 'empty-state embedding-model', role: 'region', 'aria-label': 'No embedding model' },
      h('p', {}, icon('info'), ' No embedding model: search and answers use full-text (lexical) search, which works without one. An embedding model adds search by meaning.'),
      iconButton('close', 'Dismiss', () => { state.embeddingNoticeDismissed = true; persist(); renderModels(); }, 'dismiss'),
      offerSummary(m.embedding),
      textButton('Choose an embedding model…', () => void send({ type: 'pickModel', role: 'embedding' }), 'pick-embedding-model', 'cloud-download')));
  }
  modelsPanel.replaceChildren(...parts);
  modelsPanel.hidden = parts.length === 0;
  const noChat = roleEmpty(m.chat);
  // Without a chat model the empty state is the view: no "ask a question" hint behind it.
  transcript.hidden = noChat && !state.conversation?.messages.length;
  input.disabled = noChat;
  sendButton.disabled = noChat;
  input.placeholder = noChat ? 'Choose a chat model to ask questions' : 'Ask the vault…';
}

modelSelect.addEventListener('change', () => {
  void send({ type: 'selectModel', role: 'chat' as ModelRole, modelId: modelSelect.value });
});

// ---------------------------------------------------------------- host events

function onHostMessage(raw: unknown): void {
  const parsed = parseFromHost(raw);
  if (!parsed.ok) {
    console.error(`Codex Vault chat: ignored an invalid message from the host (${parsed.error})`);
    return;
  }
  const ev = parsed.value;
  switch (ev.type) {
    case 'response':
      pending.get(ev.id)?.(ev);
      pending.delete(ev.id);
      break;
    case 'init':
      state.initialised = true;
      state.conversations = ev.conversations;
      state.conversation = ev.conversation;
      state.models = ev.models;
      if (ev.streaming) reattach(ev.streaming);
      if (state.vaultOnly === null) state.vaultOnly = ev.vaultOnlyDefault;
      vaultOnlyBox.checked = state.vaultOnly;
      renderModels();
      renderChips();
      renderTranscript();
      renderHistory();
      break;
    case 'conversations':
      state.conversations = ev.items;
      if (state.historyOpen) renderHistory();
      break;
    case 'conversation':
      state.conversation = ev.conversation;
      renderTranscript();
      if (state.historyOpen) renderHistory();
      input.focus();
      break;
    case 'models':
      state.models = ev.state;
      renderModels();
      break;
    case 'contextAdded':
      if (!state.context.some((c) => c.label === ev.item.label && c.path === ev.item.path)) state.context.push(ev.item);
      renderChips();
      persist();
      input.focus();
      break;
    case 'focusInput':
      input.focus();
      break;
    default:
      onAnswerEvent(ev);
  }
}

window.addEventListener('message', (e: MessageEvent) => onHostMessage(e.data));

// ---------------------------------------------------------------- keyboard

input.addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    void ask();
  }
});
input.addEventListener('input', () => persist());
vaultOnlyBox.addEventListener('change', () => { state.vaultOnly = vaultOnlyBox.checked; persist(); });
document.addEventListener('keydown', (ev) => {
  if (ev.key !== 'Escape') return;
  if (state.ask && !state.ask.stopped) { ev.preventDefault(); stop(); return; }
  if (!hover.hidden) { hideHover(); return; }
  if (state.historyOpen) { toggleHistory(false); historyButton.focus(); }
});

setBusy(false);
renderChips();
renderTranscript();
void send({ type: 'ready' });
