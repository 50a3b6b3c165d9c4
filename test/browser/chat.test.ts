// The chat and "Ask About Selection" in a real VS Code (code-server) driven through Chromium, with
// the real tiny model (../shared/models/stories260K.gguf): the empty state, adding the model from it,
// tokens streaming in, stopping mid-answer, a citation chip opening its lines, history surviving a
// window reload, an inline answer under a selection carried on in the chat, inert note markup.
// The tiny model writes children's stories, not answers: what is checked is the mechanics.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Locator } from 'playwright-core';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, hostForFile } from './harness/index';

const BORROW = [
  '# Zorblax rules',                                               // 1
  '',                                                              // 2
  'Some introduction about the vault.',                            // 3
  '',                                                              // 4
  '## The zorblax checker',                                        // 5
  '',                                                              // 6
  'The zorblax checker enforces that every zorblax value has exactly one owner.', // 7
  'When the owner goes out of scope, the zorblax value is dropped.',             // 8
  '',                                                              // 9
].join('\n');
const EVIL = [
  '# Quuxfrob markup',
  '',
  'quuxfrob <script>window.__cvPwned = 1</script> [click](javascript:window.__cvPwned=2) <img src="https://evil.example/x.png" onerror="window.__cvPwned = 3"> quuxfrob end.',
  '',
].join('\n');

/** README screenshots are refreshed only when asked (they are tracked files). */
const docsShots = process.env.CODEX_VAULT_DOCS_SCREENSHOTS === '1';

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'zorblax.md'), BORROW);
  writeFileSync(join(ws, 'quuxfrob.md'), EVIL);
  return {
    workspace: ws,
    userSettings: {
      'codexVault.threads': 1,
      'codexVault.gpu': 'cpu',
      'codexVault.contextSize': 2048,
      'codexVault.sampling.maxTokens': 1024,
      'workbench.colorTheme': 'Default Dark Modern',
    },
  };
}, { timeoutMs: 400_000, retryStart: true });

async function docsShot(name: string, clip?: Locator): Promise<void> {
  await h.wb.screenshot(`chat-${name}`);
  if (!docsShots) return;
  const dir = join(repoRoot, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const box = clip ? await clip.boundingBox() : null;
  await h.wb.page.screenshot({ path: join(dir, `${name}.png`), ...(box ? { clip: box } : {}) });
}

/** The chat webview's content frame (for evaluate(); locators go through chat()). */
async function chatFrame(): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    for (const f of h.wb.page.frames()) {
      if (await f.evaluate(() => !!document.getElementById('transcript')).catch(() => false)) return f;
    }
    await h.wb.page.waitForTimeout(200);
  }
  throw new Error('the chat webview did not appear');
}

const chat = () => h.wb.webviewFrame();

/** Quick Open (the palette without ">"): type the name, pick the file. */
async function openFile(name: string): Promise<void> {
  await h.wb.openPalette();
  await h.wb.quickInputBox.fill(name);
  await (await h.wb.waitForQuickPickRow(name)).click();
  await h.wb.page.waitForFunction((n) => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(n), name, { timeout: 20_000 });
}

async function openChat(): Promise<void> {
  await h.wb.runCommand('Codex Vault: Open Chat');
  await chat().locator('#question').waitFor({ timeout: 60_000 });
  // Give the chat the side bar's height: collapse the other Codex Vault views.
  for (const name of ['Bookmarks', 'Models']) {
    const header = h.wb.page.locator('.pane-header[aria-expanded="true"]', { hasText: new RegExp(`^${name}`, 'i') });
    if (await header.count()) await header.first().click();
  }
}

async function ask(question: string): Promise<void> {
  const box = chat().locator('#question');
  await box.fill(question);
  await box.press('Enter');
}

/** Waits until the newest assistant message is stored (not streaming) and returns its status. */
async function lastAnswerStatus(timeoutMs = 90_000): Promise<string> {
  const last = chat().locator('.msg.assistant[data-status]:not([data-status="streaming"])').last();
  // The in-flight exchange (streaming, or stopped and waiting for its stored message) is replaced
  // by the stored messages when the answer ends.
  await chat().locator('.msg-pair').waitFor({ state: 'detached', timeout: timeoutMs });
  await last.waitFor({ timeout: timeoutMs });
  return (await last.getAttribute('data-status')) ?? '';
}

test('with no chat model the chat shows the empty state; lexical search is said to work without an embedding model', { timeout: 120_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/files/, 90_000);
  await openChat();
  const empty = chat().getByRole('region', { name: 'No chat model' });
  await empty.waitFor({ timeout: 30_000 });
  assert.ok(await chat().locator('#question').isDisabled());
  assert.match((await chat().getByRole('region', { name: 'No embedding model' }).textContent()) ?? '', /lexical\) search, which works without one/);
  await h.wb.screenshot('chat-empty-state');
});

test('the empty state adds a local model: pick "Add a local GGUF file…" and the file', { timeout: 180_000 }, async () => {
  await chat().getByRole('button', { name: /Choose a chat model/ }).click();
  const row = await h.wb.waitForQuickPickRow('Add a local GGUF file');
  await row.click();
  // files.simpleDialog.enable: the open dialog is VS Code's own quick input with a path box.
  await h.wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Add a local GGUF model' }).waitFor();
  await h.wb.acceptPathInOpenDialog(tinyModel, 'stories260K.gguf');
  await chat().getByRole('region', { name: 'No chat model' }).waitFor({ state: 'detached', timeout: 120_000 });
  assert.ok(await chat().locator('#question').isEnabled());
  assert.match(await chat().locator('#model-select option:checked').textContent() ?? '', /stories260K/);
});

test('ask: the answer streams in token by token and lists its sources', { timeout: 180_000 }, async () => {
  const frame = await chatFrame();
  // Record the streaming answer's length at every DOM change: more than one length = streamed.
  await frame.evaluate(() => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    new MutationObserver(() => {
      const body = document.querySelector('.msg-pair.streaming .msg.assistant .msg-body');
      const n = body?.textContent?.length ?? 0;
      if (n > 0 && w.__lengths.at(-1) !== n) w.__lengths.push(n);
    }).observe(document.getElementById('transcript')!, { childList: true, subtree: true, characterData: true });
  });
  await ask('What does the zorblax checker enforce?');
  assert.equal(await lastAnswerStatus(), 'complete');
  const lengths = await frame.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
  assert.ok(lengths.length >= 2, `the answer appeared at once, not streamed (lengths seen: ${lengths.join(', ')})`);
  const answer = chat().locator('.msg.assistant').last();
  assert.ok(((await answer.locator('.msg-body').textContent()) ?? '').trim().length > 0, 'the answer is empty');
  await answer.locator('.sources .cite', { hasText: 'zorblax.md' }).first().waitFor();
  await docsShot('chat', h.wb.page.locator('#workbench\\.parts\\.sidebar'));
});

test('a source chip shows its text on hover and opens its lines on click', { timeout: 120_000 }, async () => {
  const chip = chat().locator('.msg.assistant').last().locator('.sources .cite', { hasText: 'zorblax.md' }).first();
  const label = (await chip.textContent()) ?? '';
  const m = /zorblax\.md:(\d+)(?:-(\d+))?/.exec(label);
  assert.ok(m, `no line range on the chip "${label}"`);
  const [start, end] = [Number(m[1]), Number(m[2] ?? m[1])];
  assert.ok(start <= 7 && end >= 7, `the source ${start}-${end} does not hold line 7`);
  await chip.hover();
  await chat().locator('#cite-hover', { hasText: 'exactly one owner' }).waitFor();
  await chip.click();
  await h.wb.page.waitForFunction(() => /zorblax\.md/.test(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? ''), undefined, { timeout: 20_000 });
  // Selected from the first line to the end of the last: the cursor sits on `end`, with a selection.
  await h.wb.page.waitForFunction((ln) => new RegExp(`^Ln ${ln}, Col \\d+ \\(\\d+ selected\\)`).test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), end, { timeout: 20_000 });
});

test('strict citations (the default): the tiny model answer carries inline chips of given sources, and one opens its lines', { timeout: 120_000 }, async () => {
  const answer = chat().locator('.msg.assistant').last();
  const inline = answer.locator('.msg-body .cite-inline');
  assert.ok(await inline.count() > 0, 'the strict answer shows citation chips in its text');
  assert.equal(await answer.locator('.note.warn', { hasText: 'cites no source' }).count(), 0);
  const sourceLabels = await answer.locator('.sources .cite').evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''));
  for (const label of await inline.evaluateAll((cs) => cs.map((c) => c.getAttribute('aria-label') ?? ''))) {
    const where = /^Source \d+: (\S+:\d+(?:-\d+)?)/.exec(label);
    assert.ok(where, `chip label "${label}"`);
    assert.ok(sourceLabels.some((s) => s.includes(where[1]!)), `${where[1]} is one of the given sources`);
  }
  const first = /^Source \d+: ([^:]+):(\d+)(?:-(\d+))?/.exec((await inline.first().getAttribute('aria-label')) ?? '')!;
  const [file, end] = [first[1]!, Number(first[3] ?? first[2])];
  await inline.first().click();
  const base = file.split('/').pop()!;
  await h.wb.page.waitForFunction((b) => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(b), base, { timeout: 20_000 });
  await h.wb.page.waitForFunction((ln) => new RegExp(`^Ln ${ln}, Col \\d+`).test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), end, { timeout: 20_000 });
  await openChat();
});

test('Bookmark answer keeps the answer, under its question, in the Bookmarks view', { timeout: 120_000 }, async () => {
  const answer = chat().locator('.msg.assistant').last();
  await answer.hover();
  await answer.getByRole('button', { name: 'Bookmark answer' }).click();
  await answer.getByRole('button', { name: 'Bookmarked' }).waitFor({ timeout: 20_000 });
  await h.wb.runCommand('Codex Vault: Focus on Bookmarks View');
  const pane = h.wb.page.locator('.pane').filter({ has: h.wb.page.locator('.pane-header[aria-label="Bookmarks Section"]') });
  await pane.locator('.monaco-list-row', { hasText: 'What does the zorblax checker enforce?' }).waitFor({ timeout: 20_000 });
  await openChat();
});

test('Esc stops mid-answer at once and keeps the partial answer', { timeout: 180_000 }, async () => {
  // A long answer (the tiny model rarely ends a story by itself), so it is still streaming when
  // Esc arrives even when the model runs at full speed.
  const settingsFile = join(h.server.dir, 'ud', 'User', 'settings.json');
  const original = readFileSync(settingsFile, 'utf8');
  writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(original), 'codexVault.contextSize': 16384, 'codexVault.sampling.maxTokens': 12000 }, null, 2));
  try {
    await stopMidAnswer();
  } finally {
    writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(readFileSync(settingsFile, 'utf8')), 'codexVault.contextSize': 2048, 'codexVault.sampling.maxTokens': 1024 }, null, 2));
  }
});

async function stopMidAnswer(): Promise<void> {
  await openChat();
  const frame = await chatFrame();
  await h.wb.page.waitForTimeout(1500); // the settings file change reaches the extension host
  // Esc as soon as the first words are painted: pressed from inside the page, since a round trip
  // from the test driver can take longer than the tiny model needs for a whole answer. What was on
  // screen at that moment, and whether the chat was idle right after, are recorded there too.
  type W = { __shown?: string; __idleAfterStop?: boolean };
  await frame.evaluate(() => {
    const w = window as unknown as W;
    delete w.__shown;
    const obs = new MutationObserver(() => {
      const body = document.querySelector('.msg-pair.streaming .msg.assistant .msg-body');
      if (!body || body.querySelector('.thinking') || !(body.textContent ?? '').trim()) return;
      obs.disconnect();
      w.__shown = body.textContent ?? '';
      document.getElementById('question')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      w.__idleAfterStop = !(document.querySelector('button.send') as HTMLElement).hidden && (document.querySelector('button.stop') as HTMLElement).hidden === true;
    });
    obs.observe(document.getElementById('transcript')!, { childList: true, subtree: true, characterData: true });
  });
  await ask('Tell me everything about the zorblax checker and its owner rules');
  await frame.waitForFunction(() => (window as unknown as W).__shown !== undefined, undefined, { timeout: 90_000 });
  const shown = (await frame.evaluate(() => (window as unknown as W).__shown ?? '')).trim();
  assert.ok(shown.length > 0, 'nothing was on screen');
  assert.equal(await frame.evaluate(() => (window as unknown as W).__idleAfterStop), true, 'the chat is idle at once');
  assert.equal(await lastAnswerStatus(), 'cancelled', 'the answer had finished before Stop (the stored status is not "cancelled")');
  const stored = ((await chat().locator('.msg.assistant').last().locator('.msg-body').textContent()) ?? '').trim();
  assert.ok(stored.startsWith(shown.slice(0, 20)), `the stored partial answer "${stored.slice(0, 60)}" does not continue what was shown "${shown.slice(0, 60)}"`);
  assert.match((await chat().locator('.msg.assistant').last().textContent()) ?? '', /Stopped/);
}

/**
 * The engine process of this code-server (the extension's, in the server's process group). The
 * tiny model answers faster than a view can be hidden and shown, so the tests below hold the
 * engine with SIGSTOP while the answer is under way, and let it go on with SIGCONT.
 */
function engineProcess(): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === h.server.pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('engine-host.mjs')) return Number(d);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error('no engine process is running for this code-server (an earlier answer should have started it)');
}

/** Asks with the engine held, hides the chat (its page unloads) and shows it again; returns the engine's pid, still held. */
async function askThenHideAndShow(question: string): Promise<number> {
  await openChat();
  const engine = engineProcess();
  process.kill(engine, 'SIGSTOP');
  try {
    const frame = await chatFrame();
    await ask(question);
    // The answer is under way: its question is stored and its streaming row written.
    await chat().locator('.msg-pair.streaming').waitFor({ timeout: 30_000 });
    await frame.evaluate(() => { (window as unknown as { __oldPage?: boolean }).__oldPage = true; });
    await h.wb.runCommand('View: Show Explorer');
    await h.wb.page.waitForTimeout(1000);
    await openChat();
    const again = await chatFrame();
    assert.equal(await again.evaluate(() => (window as unknown as { __oldPage?: boolean }).__oldPage), undefined, 'the chat page was loaded again');
    return engine;
  } catch (e) {
    process.kill(engine, 'SIGCONT');
    throw e;
  }
}

test('hidden mid-answer and shown again, the answer goes on streaming in place and completes there', { timeout: 240_000 }, async () => {
  const question = 'What does the zorblax checker enforce, once more?';
  const engine = await askThenHideAndShow(question);
  let released = false;
  try {
    // Picked up, not shown as failed: the question once, the answer streaming, Stop offered.
    await chat().locator('.msg-pair.streaming').waitFor({ timeout: 30_000 });
    assert.ok(await chat().locator('button.stop').isVisible(), 'the answer is followed: Stop shows');
    assert.equal(await chat().locator('.note.error').count(), 0, 'the answer under way is not shown as an error');
    assert.equal(await chat().locator('.msg.user', { hasText: question }).count(), 1, 'the question shows once');
    const frame = await chatFrame();
    await frame.evaluate(() => {
      const w = window as unknown as { __lengths: number[] };
      w.__lengths = [];
      new MutationObserver(() => {
        const n = document.querySelector('.msg-pair.streaming .msg.assistant .msg-body')?.textContent?.length ?? 0;
        if (n > 0 && w.__lengths.at(-1) !== n) w.__lengths.push(n);
      }).observe(document.getElementById('transcript')!, { childList: true, subtree: true, characterData: true });
    });
    process.kill(engine, 'SIGCONT');
    released = true;
    assert.equal(await lastAnswerStatus(), 'complete');
    const lengths = await frame.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
    assert.ok(lengths.length >= 2, `the answer did not stream into the page shown again (lengths seen: ${lengths.join(', ')})`);
    const stored = chat().locator('.msg.assistant').last();
    assert.ok(((await stored.locator('.msg-body').textContent()) ?? '').trim().length > 0, 'the completed answer is there');
    assert.equal(await chat().locator('.msg.user', { hasText: question }).count(), 1);
  } finally {
    if (!released) process.kill(engine, 'SIGCONT');
  }
});

test('hidden mid-answer and shown again, Stop still stops the answer', { timeout: 240_000 }, async () => {
  const engine = await askThenHideAndShow('Tell me about the zorblax owner rules, again');
  try {
    await chat().locator('button.stop').click();
    assert.ok(await chat().locator('button.send').isVisible(), 'idle at once');
  } finally {
    process.kill(engine, 'SIGCONT');
  }
  assert.equal(await lastAnswerStatus(), 'cancelled', 'Stop reached the answer that was picked up again');
  assert.match((await chat().locator('.msg.assistant').last().textContent()) ?? '', /Stopped/);
});

test('note markup shown in the chat stays inert', { timeout: 120_000 }, async () => {
  const frame = await chatFrame();
  await ask('quuxfrob');
  await lastAnswerStatus();
  const chip = chat().locator('.msg.assistant').last().locator('.sources .cite', { hasText: 'quuxfrob.md' }).first();
  await chip.hover();
  const hover = chat().locator('#cite-hover');
  await hover.waitFor();
  assert.match((await hover.textContent()) ?? '', /<script>window\.__cvPwned = 1<\/script>/, 'the markup is shown as text');
  assert.equal(await frame.locator('#transcript script, #transcript img, #transcript iframe, #cite-hover script, #cite-hover img').count(), 0);
  const hrefs = await frame.locator('#transcript a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  assert.ok(hrefs.every((href) => /^(https?:|mailto:)/.test(href)), `unsafe links: ${hrefs.join(' ')}`);
  assert.equal(await frame.evaluate(() => (window as unknown as { __cvPwned?: number }).__cvPwned), undefined);
  assert.equal(await h.wb.page.evaluate(() => (window as unknown as { __cvPwned?: number }).__cvPwned), undefined);
});

test('history survives a window reload: the conversation reopens and is listed', { timeout: 180_000 }, async () => {
  const before = await chat().locator('.msg.user').count();
  assert.ok(before >= 2);
  const title = (await chat().locator('#conversation-title').textContent()) ?? '';
  await h.wb.load();
  await openChat();
  await chat().locator('.msg.user').first().waitFor({ timeout: 60_000 });
  assert.equal(await chat().locator('.msg.user').count(), before);
  assert.equal(await chat().locator('#conversation-title').textContent(), title);
  await chat().getByRole('button', { name: 'Conversation history' }).click();
  await chat().locator('.history-item .history-open', { hasText: title }).first().waitFor();
  // Rename it, then start a new conversation and come back through the list.
  await chat().locator('.history-item').first().getByRole('button', { name: /^Rename/ }).click();
  await chat().locator('.rename-input').fill('Zorblax questions');
  await chat().locator('.rename-input').press('Enter');
  await chat().locator('#conversation-title', { hasText: 'Zorblax questions' }).waitFor();
  await chat().getByRole('button', { name: 'New conversation' }).click();
  await chat().locator('.empty-hint').waitFor();
  await chat().getByRole('button', { name: 'Conversation history' }).click();
  await chat().locator('.history-open', { hasText: 'Zorblax questions' }).click();
  await chat().locator('.msg.user').first().waitFor();
  assert.equal(await chat().locator('.msg.user').count(), before);
});

test('Ask About Selection answers in place under the selection; Continue in chat; dismiss leaves the file as it was', { timeout: 240_000 }, async () => {
  const file = join(h.workspace, 'zorblax.md');
  const original = readFileSync(file, 'utf8');
  // Open the note and select lines 7-8.
  await openFile('zorblax.md');
  await h.wb.page.keyboard.press('Control+G');
  await h.wb.quickInputBox.fill(':7');
  await h.wb.page.keyboard.press('Enter');
  await h.wb.page.keyboard.press('Home');
  await h.wb.page.keyboard.press('Shift+ArrowDown');
  await h.wb.page.keyboard.press('Shift+End');
  await h.wb.page.waitForFunction(() => /\(\d+ selected\)/.test(document.querySelector('[id="status.editor.selection"]')?.textContent ?? ''));
  // The keybinding (the palette would take the focus, and the selection, away from the editor).
  await h.wb.page.keyboard.press('Control+Alt+A');
  await h.wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Ask About Selection' }).waitFor({ timeout: 30_000 });
  await h.wb.quickInputBox.waitFor({ state: 'visible' });
  await h.wb.quickInputBox.fill('What happens to the value?');
  await h.wb.page.keyboard.press('Enter');
  // The comment thread opens under the selection, in the editor.
  const thread = h.wb.page.locator('.review-widget').filter({ hasText: 'Codex Vault' }).first();
  await thread.waitFor({ timeout: 60_000 });
  await thread.locator('a', { hasText: 'Continue in chat' }).waitFor({ timeout: 120_000 });
  // MarkdownString.appendText writes spaces as &nbsp;.
  const text = ((await thread.textContent()) ?? '').replace(/\u00a0/g, ' ');
  assert.match(text, /What happens to the value\?/);
  assert.match(text, /Sources:.*zorblax\.md:7-8/s, 'the selection is a source');
  await h.wb.screenshot('inline-answer');
  await thread.locator('a', { hasText: 'Continue in chat' }).click();
  await chat().locator('.msg.user', { hasText: 'What happens to the value?' }).waitFor({ timeout: 60_000 });
  // Dismiss: the thread goes away and the file is unchanged (not even dirty).
  await openFile('zorblax.md');
  await thread.hover();
  // The thread's title actions show on hover only, and the editor may have scrolled the thread
  // out of the page's viewport: deliver the click to the action itself.
  await thread.getByRole('button', { name: 'Dismiss Answer' }).dispatchEvent('click');
  await h.wb.page.locator('.review-widget').filter({ hasText: 'Codex Vault' }).waitFor({ state: 'detached', timeout: 20_000 });
  assert.equal(await h.wb.page.locator('.tabs-container .tab.active.dirty').count(), 0);
  assert.equal(readFileSync(file, 'utf8'), original);
});
