// The chat webview's page (dist/media/chatMain.js, as built) in real Chromium, under the same CSP
// the provider sets, driven through its protocol the way the host drives it: a page script stands
// in for VS Code's acquireVsCodeApi (it records what the page sends; the test posts host events).
// What is checked here is the renderer and the interaction: untrusted Markdown rendering inert,
// citations, Stop/Esc, Enter/Shift+Enter, errors with Retry, history actions, the empty states.
// The whole path through a real VS Code host is in chat.test.ts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ChatMessage, FromHost, ModelState } from '../../src/views/protocol/chatProtocol';
import { repoRoot } from '../helpers/paths';

const media = join(repoRoot, 'dist', 'media');
const CHROMIUM = process.env.CODEX_VAULT_CHROMIUM ?? '/usr/bin/chromium';
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.html': 'text/html' };

let server: Server;
let origin = '';
let browser: Browser;
let page: Page;
/** Requests the page made to anything but our server: must stay empty (no remote content). */
const foreignRequests: string[] = [];

function pageHtml(nonce: string): string {
  // The provider's CSP (src/views/chat/chatHtml.ts) with this server as the webview's resource origin.
  const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src ${origin}; font-src ${origin}; img-src ${origin}`;
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="${origin}/codicon.css"><link rel="stylesheet" href="${origin}/chat.css"></head>
<body><div id="app"></div>
<script nonce="${nonce}">
  window.__sent = []; window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  let state;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => state, setState: (s) => { state = s; } });
</script>
<script nonce="${nonce}" src="${origin}/chatMain.js"></script></body></html>`;
}

before(async () => {
  assert.ok(existsSync(join(media, 'chatMain.js')), 'dist/media/chatMain.js is missing: run node esbuild.mjs');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(pageHtml(url.searchParams.get('nonce') ?? ''));
      return;
    }
    const file = normalize(join(media, url.pathname));
    if (!file.startsWith(media) || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking'] });
  page = await browser.newPage({ viewport: { width: 420, height: 800 } });
  page.on('request', (r) => { if (!r.url().startsWith(origin)) foreignRequests.push(r.url()); });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

const root = '/work/vault';
const noteHtml = '<script>window.__pwned = "note"</script><img src="https://evil.example/n.png"> Ownership rules';

function models(chat: boolean, embedding = false): ModelState {
  const role = (has: boolean, id: string) => ({
    current: has ? { id, label: id, sizeBytes: 1000 } : null,
    loaded: has, available: has ? [{ id, label: id, sizeBytes: 1000 }] : [],
    offers: [{ manifestId: `${id}-offer`, label: `Offer for ${id}`, sizeBytes: 400 * 1024 * 1024, fit: 'fits' as const, fitDetail: 'fits in RAM' }],
    downloading: null,
  });
  return { chat: role(chat, 'stories260K.gguf'), embedding: role(embedding, 'embed.gguf') };
}

async function open(state: ModelState = models(true)): Promise<void> {
  await page.goto(`${origin}/?nonce=${randomBytes(12).toString('base64url')}`);
  await page.waitForFunction(() => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'));
  await host({ type: 'init', conversations: [], conversation: null, models: state, vaultOnlyDefault: true, streaming: null });
  await respond('ready');
}

let answers = 0;
/** Answers the page's newest ask as the host does: at once, with the answer id the host issues. */
async function accept(ask: { id: number }): Promise<string> {
  const answerId = `answer-${++answers}`;
  await host({ type: 'response', id: ask.id, error: null, answerId });
  return answerId;
}

/** Posts a host event into the page, as the provider's webview.postMessage does. */
async function host(msg: FromHost): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), msg);
}

async function sent(): Promise<{ type: string; id: number; [k: string]: unknown }[]> {
  return page.evaluate(() => (window as unknown as { __sent: { type: string; id: number }[] }).__sent);
}

/** Answers the newest request of `type` with success, as the host does. */
async function respond(type: string, error: string | null = null): Promise<{ id: number; [k: string]: unknown }> {
  const msg = (await sent()).filter((m) => m.type === type).at(-1);
  assert.ok(msg, `the page sent no ${type} request`);
  await host({ type: 'response', id: msg.id, error });
  return msg;
}

async function waitSent(type: string, count = 1): Promise<{ id: number; [k: string]: unknown }> {
  await page.waitForFunction(([t, n]) => (window as unknown as { __sent: { type: string }[] }).__sent.filter((m) => m.type === t).length >= n, [type, count] as const);
  return (await sent()).filter((m) => m.type === type).at(-1)!;
}

const source1 = { n: 1, root, path: 'notes/own.md', startLine: 3, endLine: 9, headings: 'Ownership > Rules', text: noteHtml };
const citation1 = { n: 1, root, path: 'notes/own.md', startLine: 3, endLine: 9 };

function answer(content: string, over: Partial<ChatMessage> = {}): ChatMessage {
  return { id: 2, role: 'assistant', content, sources: [source1], citations: [citation1], status: 'complete', createdAt: Date.now(), ...over };
}

test('Enter sends, Shift+Enter adds a line; tokens stream in; the answer renders with citation chips', async () => {
  await open();
  const box = page.locator('#question');
  await box.fill('What are');
  await box.press('Shift+Enter');
  await box.type('the rules?');
  assert.equal(await box.inputValue(), 'What are\nthe rules?');
  await box.press('Enter');
  const ask = await waitSent('ask');
  assert.equal(ask.question, 'What are\nthe rules?');
  assert.equal(ask.vaultOnly, true, '"answer only from the vault" is the default');
  assert.equal(await box.inputValue(), '');
  assert.ok(await page.locator('button.stop').isVisible(), 'busy: Stop shows');
  const answerId = await accept(ask);
  const userMessage: ChatMessage = { id: 1, role: 'user', content: ask.question as string, sources: [], citations: [], status: 'complete', createdAt: 1 };
  await host({ type: 'answerStart', answerId, conversationId: 5, title: 'What are the rules?', userMessage });
  await host({ type: 'sources', answerId, sources: [source1] });
  for (const t of ['Each value ', 'has one owner ', '[1].']) await host({ type: 'token', answerId, text: t });
  await page.locator('.streaming .msg-body', { hasText: 'Each value has one owner' }).waitFor();
  await host({ type: 'answerDone', answerId, message: answer('Each value has one owner [1].', { retrieval: { mode: 'hybrid', embedded: 3, total: 4, fallbackReason: null } }) });
  await page.locator('.msg.assistant .cite-inline').first().waitFor();
  // Retrieved by words and meaning with a quarter of the vault not embedded yet: the answer says so.
  assert.match(await page.locator('.msg.assistant .note.retrieval').textContent() ?? '', /only 75% of the notes have vectors yet \(3 of 4 passages\)/);
  assert.ok(await page.locator('button.send').isVisible(), 'idle again: Send shows');
  assert.equal(await page.locator('#conversation-title').textContent(), 'What are the rules?');

  // Hover shows the source text (a note with markup: shown as text).
  await page.locator('.cite-inline').first().hover();
  await page.locator('#cite-hover').waitFor();
  assert.equal(await page.locator('#cite-hover .cite-hover-text').textContent(), noteHtml);
  assert.equal(await page.locator('#cite-hover script, #cite-hover img').count(), 0);
  // A click asks the host to open the cited lines.
  await page.mouse.move(0, 0);
  await page.locator('#cite-hover').waitFor({ state: 'hidden' });
  await page.locator('.sources .cite').first().click();
  const openReq = await waitSent('openLocation');
  assert.deepEqual(openReq.location, { root, path: 'notes/own.md', startLine: 3, endLine: 9 });
});

test('a stored answer can be copied and bookmarked by its ids; a "not in the vault" reply and a failed one offer neither', async () => {
  await open();
  const question: ChatMessage = { id: 1, role: 'user', content: 'What are the rules?', sources: [], citations: [], status: 'complete', createdAt: 1 };
  await host({ type: 'conversation', conversation: { id: 12, title: 'Rules', messages: [
    question, answer('Each value has one owner [1].'),
    { ...question, id: 3, content: 'And the capital of Mongolia?' }, answer('The vault does not seem to contain this.', { id: 4, notFound: true, citations: [] }),
    { ...question, id: 5, content: 'Again?' }, answer('Half an answ', { id: 6, status: 'error', citations: [] }),
  ] } });
  const bubbles = page.locator('.msg.assistant');
  await bubbles.nth(2).waitFor();
  assert.equal(await bubbles.nth(1).locator('.msg-actions').count(), 0, 'no actions on "not in the vault"');
  assert.equal(await bubbles.nth(2).locator('.msg-actions').count(), 0, 'no actions on a failed answer');

  const mark = bubbles.first().getByRole('button', { name: 'Bookmark answer' });
  await mark.focus(); // reachable with the keyboard
  await page.keyboard.press('Enter');
  const req = await waitSent('bookmarkAnswer');
  assert.deepEqual({ conversationId: req.conversationId, messageId: req.messageId }, { conversationId: 12, messageId: 2 });
  assert.equal(Object.keys(req).sort().join(), 'conversationId,id,messageId,type', 'only ids go out: the host reads the answer from the vault');
  await respond('bookmarkAnswer');
  await bubbles.first().getByRole('button', { name: 'Bookmarked' }).waitFor();

  await bubbles.first().getByRole('button', { name: 'Copy answer' }).click();
  const copy = await waitSent('copyText');
  assert.equal(copy.text, 'Each value has one owner [1].');
  // A failed bookmark shows an error mark on the button and stays offered.
  await host({ type: 'conversation', conversation: { id: 12, title: 'Rules', messages: [question, answer('Each value has one owner [1].')] } });
  await page.locator('.msg.assistant').first().getByRole('button', { name: 'Bookmark answer' }).click();
  await waitSent('bookmarkAnswer', 2);
  await respond('bookmarkAnswer', 'That answer is no longer in the conversation.');
  await page.locator('.msg.assistant .bookmark-answer .codicon-error').waitFor();
  assert.equal(await page.locator('.msg.assistant').first().getByRole('button', { name: 'Bookmark answer' }).count(), 1);
});

test('model output and notes with HTML, script, javascript: and data: links, and remote images render inert', async () => {
  await open();
  const evil = [
    'Intro <script>window.__pwned = 1</script> and <b onclick="window.__pwned = 2">bold</b>',
    '',
    '<img src="https://evil.example/a.png" onerror="window.__pwned = 3">',
    '',
    '[js](javascript:window.__pwned=4) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [vs](vscode:extension/x) [file](file:///etc/passwd)',
    '',
    '![remote](https://evil.example/b.png) <iframe src="https://evil.example"></iframe>',
    '',
    '[fine](https://example.com/docs) cites [1] and invents [9].',
    '',
    '```html',
    '<script>window.__pwned = 5</script>',
    '```',
  ].join('\n');
  await host({ type: 'conversation', conversation: { id: 9, title: 'evil', messages: [answer(evil)] } });
  const body = page.locator('.msg.assistant .msg-body');
  await body.waitFor();
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined, 'no script ran');
  assert.equal(await body.locator('script, img, iframe, object, embed, style, [onclick], [onerror]').count(), 0);
  const hrefs = await body.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['https://example.com/docs'], 'only the http(s) link stays a link');
  // Raw HTML in Markdown is shown as the text it is (markdown-it runs with html: false).
  assert.ok(((await body.textContent()) ?? '').includes('Intro <script>window.__pwned = 1</script> and <b onclick="window.__pwned = 2">bold</b>'));
  // The HTML inside a code block is shown as code, with a copy button.
  assert.equal(await body.locator('pre code').textContent(), '<script>window.__pwned = 5</script>\n');
  await body.locator('.copy-code').click();
  const copy = await waitSent('copyText');
  assert.equal(copy.text, '<script>window.__pwned = 5</script>\n');
  // [1] is a chip; the invented [9] is plain text, not a link or button.
  assert.equal(await body.locator('button.cite-inline').count(), 1);
  assert.equal(await body.locator('.cite-invalid').textContent(), '[9]');
  assert.equal(await body.locator('.cite-invalid').evaluate((e) => e.tagName), 'SPAN');
  assert.deepEqual(foreignRequests, [], 'nothing was fetched from another origin');
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations), [], 'the sanitizer alone kept it inert (no CSP violation needed)');
});

test('Stop and Esc cancel at once and keep the partial answer', async () => {
  await open();
  await page.locator('#question').fill('Tell me a story');
  await page.locator('button.send').click();
  const answerId = await accept(await waitSent('ask'));
  await host({ type: 'answerStart', answerId, conversationId: 6, title: 'Tell me a story', userMessage: { id: 1, role: 'user', content: 'Tell me a story', sources: [], citations: [], status: 'complete', createdAt: 1 } });
  await host({ type: 'sources', answerId, sources: [source1] });
  await host({ type: 'token', answerId, text: 'Once upon a time' });
  await page.locator('.streaming .msg-body', { hasText: 'Once upon a time' }).waitFor();
  await page.keyboard.press('Escape');
  const cancel = await waitSent('cancel');
  assert.equal(cancel.answerId, answerId, 'Stop names the answer by the id the host issued');
  assert.ok(await page.locator('button.send').isVisible(), 'idle at once, before the host confirms');
  // Tokens still in flight are dropped; the partial answer stays.
  await host({ type: 'token', answerId, text: ' there was a dragon' });
  await page.waitForTimeout(100);
  const text = await page.locator('.msg-pair .msg.assistant .msg-body').textContent();
  assert.equal(text?.trim(), 'Once upon a time');
  assert.match((await page.locator('.msg-pair .msg.assistant').textContent()) ?? '', /Stopped/);
  await host({ type: 'answerDone', answerId, message: answer('Once upon a time', { status: 'cancelled', citations: [] }) });
  await page.locator('.msg.assistant[data-status="cancelled"]').waitFor();

  // The Stop button does the same.
  await page.locator('#question').fill('Again');
  await page.locator('#question').press('Enter');
  const ask2 = await waitSent('ask', 2);
  // Stopped before the host's answer to the ask arrived: the cancel goes out as soon as it does.
  await page.locator('button.stop').click();
  assert.ok(await page.locator('button.send').isVisible(), 'idle at once');
  const answerId2 = await accept(ask2);
  assert.equal((await waitSent('cancel', 2)).answerId, answerId2);
});

test('a page that loads while an answer streams follows it in place: the text so far, more tokens, Stop by the host\'s id', async () => {
  await page.goto(`${origin}/?nonce=${randomBytes(12).toString('base64url')}`);
  await page.waitForFunction(() => (window as unknown as { __sent: { type: string }[] }).__sent.some((m) => m.type === 'ready'));
  const userMessage: ChatMessage = { id: 11, role: 'user', content: 'Tell me a story', sources: [], citations: [], status: 'complete', createdAt: 1 };
  await host({
    type: 'init', conversations: [{ id: 7, title: 'Tell me a story', updatedAt: 1 }], models: models(true), vaultOnlyDefault: true,
    conversation: { id: 7, title: 'Tell me a story', messages: [] },
    streaming: { answerId: 'live-1', question: 'Tell me a story', context: [], vaultOnly: true, userMessage, sources: [source1], text: 'Once upon' },
  });
  await respond('ready');
  await page.locator('.streaming .msg-body', { hasText: 'Once upon' }).waitFor();
  assert.ok(await page.locator('button.stop').isVisible(), 'the answer is still running: Stop shows');
  await host({ type: 'token', answerId: 'other-answer', text: ' IGNORED' });
  await host({ type: 'token', answerId: 'live-1', text: ' a time' });
  await page.locator('.streaming .msg-body', { hasText: 'Once upon a time' }).waitFor();
  assert.doesNotMatch((await page.locator('#transcript').textContent()) ?? '', /IGNORED/, 'another answer\'s tokens stay out');
  await page.keyboard.press('Escape');
  assert.equal((await waitSent('cancel')).answerId, 'live-1', 'Stop stops the answer the host is streaming');
  await host({ type: 'answerDone', answerId: 'live-1', message: answer('Once upon a time', { id: 12, status: 'cancelled', citations: [] }) });
  await page.locator('.msg.assistant[data-status="cancelled"]').waitFor();
  assert.equal(await page.locator('.msg.user').count(), 1, 'the question shows once');
  assert.equal(await page.locator('.msg-pair').count(), 0);
});

test('an error shows in place with Retry, which asks again', async () => {
  await open();
  await page.locator('#question').fill('Why?');
  await page.locator('#question').press('Enter');
  const ask = await waitSent('ask');
  const answerId = await accept(ask);
  await host({ type: 'token', answerId, text: 'Because' });
  await host({ type: 'answerError', answerId, error: 'The engine stopped unexpectedly.', partial: 'Because' });
  const err = page.locator('.note.error');
  await err.waitFor();
  assert.match((await err.textContent()) ?? '', /The engine stopped unexpectedly/);
  assert.match((await page.locator('.msg-pair .msg.assistant .msg-body').textContent()) ?? '', /Because/);
  await err.locator('button.retry').click();
  const again = await waitSent('ask', 2);
  assert.equal(again.question, 'Why?');
  assert.notEqual(again.id, ask.id);
});

test('history: open, rename with Enter, delete after confirming', async () => {
  await open();
  await host({ type: 'conversations', items: [{ id: 1, title: 'First <b>talk</b>', updatedAt: 1 }, { id: 2, title: 'Second', updatedAt: 2 }] });
  await page.getByRole('button', { name: 'Conversation history' }).click();
  const rows = page.locator('.history-item');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  assert.equal(await rows.first().locator('.history-open').textContent(), 'First <b>talk</b>', 'titles are text');
  await rows.nth(1).getByRole('button', { name: 'Rename "Second"' }).click();
  await page.locator('.rename-input').fill('Renamed');
  await page.locator('.rename-input').press('Enter');
  const rename = await waitSent('renameConversation');
  assert.deepEqual([rename.conversationId, rename.title], [2, 'Renamed']);
  // The host stores it and pushes the new list.
  await host({ type: 'conversations', items: [{ id: 1, title: 'First <b>talk</b>', updatedAt: 1 }, { id: 2, title: 'Renamed', updatedAt: 3 }] });
  await rows.nth(1).locator('.history-open', { hasText: 'Renamed' }).waitFor();
  await rows.first().getByRole('button', { name: /^Delete/ }).click();
  await page.locator('.confirm-delete').click();
  assert.equal((await waitSent('deleteConversation')).conversationId, 1);
  await host({ type: 'conversations', items: [{ id: 2, title: 'Renamed', updatedAt: 3 }] });
  await page.locator('.history-item').nth(1).waitFor({ state: 'detached' });
  await rows.first().locator('.history-open').click();
  assert.equal((await waitSent('openConversation')).conversationId, 2);
});

test('with no chat model an empty state offers one button to pick one; no embedding model says lexical search works', async () => {
  await open(models(false, false));
  const empty = page.getByRole('region', { name: 'No chat model' });
  await empty.waitFor();
  assert.match((await empty.textContent()) ?? '', /Offer for stories260K\.gguf \(400 MB, fits this machine\)/);
  assert.ok(await page.locator('#question').isDisabled(), 'no question without a model');
  await empty.getByRole('button', { name: /Choose a chat model/ }).click();
  assert.equal((await waitSent('pickModel')).role, 'chat');
  const emb = page.getByRole('region', { name: 'No embedding model' });
  assert.match((await emb.textContent()) ?? '', /full-text \(lexical\) search, which works without one/);
  await emb.getByRole('button', { name: /Choose an embedding model/ }).click();
  assert.equal((await waitSent('pickModel', 2)).role, 'embedding');
  // A model arriving replaces the empty state.
  await host({ type: 'models', state: models(true, true) });
  await page.getByRole('region', { name: 'No chat model' }).waitFor({ state: 'detached' });
  assert.ok(await page.locator('#question').isEnabled());
  assert.equal(await page.locator('#model-select').inputValue(), 'stories260K.gguf');
});

test('context chips can be added and removed; invalid host messages are ignored', async () => {
  await open();
  await page.getByRole('button', { name: 'Add the editor selection as context' }).click();
  const req = await waitSent('addContext');
  assert.equal(req.kind, 'selection');
  await host({ type: 'contextAdded', item: { kind: 'selection', root, path: 'notes/own.md', startLine: 3, endLine: 4, text: 'x', label: 'own.md:3-4' } });
  await respond('addContext');
  await page.locator('.context-chips .chip', { hasText: 'own.md:3-4' }).waitFor();
  // A malformed event (unknown field) changes nothing.
  await page.evaluate(() => window.postMessage({ type: 'contextAdded', item: { kind: 'file', root: '/', path: 'x', label: 'x' }, extra: 1 }, '*'));
  await page.waitForTimeout(100);
  assert.equal(await page.locator('.context-chips .chip').count(), 1);
  await page.locator('#question').fill('Explain');
  await page.locator('#question').press('Enter');
  const ask = await waitSent('ask');
  assert.deepEqual((ask.context as { label: string }[]).map((c) => c.label), ['own.md:3-4']);
  assert.equal(await page.locator('.context-chips .chip').count(), 0, 'context goes with its question');
  await host({ type: 'answerError', answerId: await accept(ask), error: 'x', partial: '' });
  await page.getByRole('button', { name: 'Add the current file as context' }).click();
  await waitSent('addContext', 2);
  await host({ type: 'contextAdded', item: { kind: 'file', root, path: 'notes/own.md', label: 'own.md' } });
  const chip = page.locator('.context-chips .chip', { hasText: 'own.md' });
  await chip.waitFor();
  await chip.getByRole('button', { name: 'Remove context own.md' }).click();
  assert.equal(await page.locator('.context-chips .chip').count(), 0);
});

test('a citation the support check flags is marked on its chip (theme warning colour) and says why on hover, as text', async () => {
  await open();
  const sentence = 'Bread <b>rises</b> "fast"';
  const weak = { ...citation1, support: { score: 0.1, similarity: null, supported: false, sentence } };
  await host({ type: 'conversation', conversation: { id: 11, title: 'support', messages: [answer('Each value has one owner [1].', { citations: [weak] })] } });
  const chip = page.locator('.msg.assistant .cite-inline').first();
  await chip.waitFor();
  assert.equal(await chip.textContent(), '1?');
  assert.match(await chip.getAttribute('class') ?? '', /cite-unsupported/);
  assert.match(await chip.getAttribute('aria-label') ?? '', /does not seem to say this/);
  assert.equal(await chip.getAttribute('data-supported'), 'false');
  const warn = await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--vscode-editorWarning-foreground'));
  const colour = await chip.evaluate((e) => getComputedStyle(e).borderTopStyle);
  assert.equal(colour, 'dashed', `the flagged chip is drawn differently (warning colour ${warn || 'from the theme'})`);
  await chip.hover();
  await page.locator('#cite-hover .cite-hover-unsupported').waitFor();
  assert.equal(await page.locator('#cite-hover .cite-hover-unsupported').textContent(), ` The source does not seem to say: “${sentence}”`);
  assert.equal(await page.locator('#cite-hover b').count(), 0, 'the sentence is text, not markup');
  await page.mouse.move(0, 0);
  // A supported citation has no mark.
  await host({ type: 'conversation', conversation: { id: 12, title: 'fine', messages: [answer('Each value has one owner [1].', { citations: [{ ...citation1, support: { score: 1, similarity: null, supported: true, sentence: 'Each value has one owner' } }] })] } });
  await page.locator('.msg.assistant .cite-inline[data-supported="true"]').waitFor();
  assert.equal(await page.locator('.msg.assistant .cite-inline').first().textContent(), '1');
  assert.equal(await page.locator('.cite-unsupported').count(), 0);
});
