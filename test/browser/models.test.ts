// The Models view in a real VS Code (code-server) driven through Chromium: the real tiny model
// (../shared/models/stories260K.gguf) added as a local model through the file dialog, verified,
// loaded in the real engine process (its memory figures shown under it) and unloaded.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Frame, Locator } from 'playwright-core';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, hostForFile, type HostSession } from './harness/index';

let manifest: string;

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  // A user manifest whose model name and description carry markup: it must show as text.
  manifest = join(ws, '..', `${ws.split('/').pop()}-manifest.json`);
  writeFileSync(manifest, JSON.stringify({
    version: 1,
    models: [{
      id: 'markup-test', name: 'Markup <img src=x onerror="window.__cvPwned=3"> model', role: 'chat', quantization: 'Q4_K_M',
      contextLength: 2048, license: 'MIT', description: '<script>window.__cvPwned=4</script> not a real model',
      files: [{ name: 'markup-test.gguf', size: 1000, sha256: 'a'.repeat(64), urls: ['https://models.invalid/markup-test.gguf'] }],
    }, {
      // Terminal escapes and a bidi override in a name: shown as escapes, never acted on or reordered.
      id: 'escape-test', name: 'Escape \u202eledom\u202c \u001b[31mred', role: 'chat', quantization: 'Q4_K_M',
      contextLength: 2048, license: 'MIT', description: 'a name with control characters',
      files: [{ name: 'escape-test.gguf', size: 1000, sha256: 'b'.repeat(64), urls: ['https://models.invalid/escape-test.gguf'] }],
    }],
  }));
  // One engine thread: more than the cores would crawl (see docs/design.md, "Threads").
  return { workspace: ws, userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.manifestFile': manifest } };
});

after(async () => {
  if (manifest) rmSync(manifest, { force: true });
});

const page = (): HostSession['wb']['page'] => h.wb.page;
const pane = (): Locator => page().locator('.pane').filter({ has: page().locator('.pane-header[aria-label="Models Section"]') });
const modelRow = (): Locator => pane().locator('.monaco-list-row').filter({ hasText: 'stories260K.gguf' }).first();

/** The Models tree's rows as "label | description", indented by depth, read in one go. */
async function rowsText(): Promise<string[]> {
  return page().evaluate(() => {
    const header = document.querySelector('.pane-header[aria-label="Models Section"]');
    const rows = header?.closest('.pane')?.querySelectorAll('.monaco-list-row') ?? [];
    return [...rows].map((r) => `${'  '.repeat(Number(r.getAttribute('aria-level') ?? '1') - 1)}${(r.querySelector('.label-name')?.textContent ?? '').trim()} | ${(r.querySelector('.label-description')?.textContent ?? '').trim()}`);
  });
}

async function waitForRows(pred: (rows: string[]) => boolean, what: string, timeoutMs = 60_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await rowsText();
    if (pred(last)) return last;
    await page().waitForTimeout(250);
  }
  assert.fail(`${what}; the Models view shows:\n${last.join('\n')}`);
}

/** Runs a context-menu entry of `row` (see Workbench.contextMenu). */
function contextMenu(row: Locator, item: string): Promise<void> {
  return h.wb.contextMenu(row, item);
}

test('the manifest models are listed with their state and fit', { timeout: 120_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Focus on Models View');
  const rows = await waitForRows((r) => r.some((x) => x.startsWith('Manifest models')), 'no manifest models listed');
  const models = rows.filter((r) => r.startsWith('  '));
  assert.ok(models.length > 0);
  for (const m of models) assert.match(m, /not downloaded · [\d.]+ (B|KiB|MiB|GiB) · (fits|tight fit|won.t fit)/, m);
  await h.wb.screenshot('models-manifest');
});

test('a model name with markup from a user manifest renders inert', { timeout: 60_000 }, async () => {
  const row = pane().locator('.monaco-list-row').filter({ hasText: 'Markup' }).first();
  await row.waitFor({ timeout: 30_000 });
  assert.match((await row.textContent()) ?? '', /Markup <img src=x onerror="window\.__cvPwned=3"> model/);
  assert.equal(await row.locator('img, script').count(), 0);
  await row.hover();
  await page().waitForTimeout(1500); // the hover, if any, has rendered
  assert.equal(await page().locator('.monaco-hover img, .monaco-hover script').count(), 0);
  assert.equal(await page().evaluate(() => (window as unknown as { __cvPwned?: number }).__cvPwned), undefined);
  await h.wb.screenshot('models-inert-markup');
  const escaped = pane().locator('.monaco-list-row').filter({ hasText: 'Escape' }).first();
  const label = (await escaped.locator('.label-name').textContent()) ?? '';
  assert.equal(label.trim(), 'Escape \\u202eledom\\u202c \\x1b[31mred');
  assert.doesNotMatch(label, /[\u001b\u202a-\u202e]/);
});

/** The chat webview's content frame, for evaluate(). */
async function chatFrame(): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    for (const f of page().frames()) {
      if (await f.evaluate(() => !!document.getElementById('transcript')).catch(() => false)) return f;
    }
    await page().waitForTimeout(200);
  }
  throw new Error('the chat webview did not appear');
}

test('stories260K.gguf added as a local model, verified, loaded (memory figures shown) and unloaded; the open chat learns of it at once', { timeout: 240_000 }, async () => {
  // The chat, open beside the Models view, has no chat model yet.
  await h.wb.runCommand('Codex Vault: Open Chat');
  const chat = h.wb.webviewFrame();
  await chat.getByRole('region', { name: 'No chat model' }).waitFor({ timeout: 60_000 });
  await (await chatFrame()).evaluate(() => { (window as unknown as { __samePage?: boolean }).__samePage = true; });
  await h.wb.runCommand('Codex Vault: Focus on Models View');
  // The tree draws only the rows its pane has room for: the manifest's rows are folded so that the
  // local models below them (and, later, the loaded model's figures) are on screen beside the chat,
  // the Bookmarks view and the Related Notes header.
  await pane().locator('.monaco-list-row').filter({ hasText: 'Manifest models' }).first().click();
  await waitForRows((r) => r.length === 1 && /^Manifest models/.test(r[0]!), 'the manifest models did not fold');
  // Add it through the file dialog (VS Code's own dialog in the browser: type the path, Enter).
  await h.wb.runCommand('Codex Vault: Add Local GGUF Model…');
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
  await h.wb.acceptPathInOpenDialog(tinyModel, 'stories260K.gguf');
  await waitForRows((r) => r.some((x) => /^Local models/.test(x)) && r.some((x) => /stories260K\.gguf \| verified · 1\.1 MiB · fits/.test(x)), 'the local model is not listed as verified');
  await page().locator('.notifications-toasts').getByText(/added stories260K\.gguf/).waitFor({ timeout: 20_000 });
  await h.wb.screenshot('models-local-added');
  // A model added in the Models view reaches the chat by itself: no reload, no setting changed.
  await chat.getByRole('region', { name: 'No chat model' }).waitFor({ state: 'detached', timeout: 30_000 });
  assert.ok(await chat.locator('#question').isEnabled(), 'the chat takes questions now');
  assert.equal(await (await chatFrame()).evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage), true, 'the same chat page was updated, not a new one loaded');

  // Earlier toasts (adding, hashing) are cleared first: the workbench shows only a few at a time.
  // A right-click on a row that the tree re-renders at that moment opens no menu entry, so retry.
  await h.wb.runCommand('Notifications: Clear All Notifications');
  const verifiedToast = page().locator('.notifications-toasts').getByText(/stories260K\.gguf verified — its checksum matches/);
  let verified = false;
  for (let attempt = 0; attempt < 3 && !verified; attempt++) {
    await contextMenu(modelRow(), 'Verify Model');
    verified = await verifiedToast.waitFor({ timeout: 30_000 }).then(() => true, () => false);
  }
  assert.ok(verified, 'Verify Model did not report a matching checksum');

  // The manifest's list is still folded (above), so the loaded model's figures have room on screen.
  const isLoaded = (r: string[]): boolean => r.some((x) => /stories260K\.gguf \| loaded/.test(x)) && r.some((x) => /^\s+KV cache \| /.test(x));
  // As with Verify: a menu click on a row being re-rendered is lost, so retry (a load that fails
  // shows an error toast, which the screenshot below keeps).
  for (let attempt = 0; attempt < 3; attempt++) {
    await contextMenu(modelRow(), 'Load Model');
    const ok = await waitForRows(isLoaded, 'not loaded yet', 40_000).then(() => true, () => false);
    if (ok) break;
    await h.wb.screenshot(`models-load-attempt-${attempt + 1}`);
  }
  const loaded = await waitForRows(isLoaded, 'the model did not show as loaded with memory figures', 20_000);
  const figure = (name: string): string => loaded.find((x) => new RegExp(`^\\s+${name} \\| `).test(x)) ?? '';
  assert.match(figure('RAM'), /RAM \| [\d.]+ (B|KiB|MiB|GiB)$/);
  assert.match(figure('VRAM'), /VRAM \| none \(CPU\)$/);
  assert.match(figure('KV cache'), /KV cache \| [\d.]+ (B|KiB|MiB|GiB)$/);
  assert.match(figure('Context'), /Context \| [\d,]+ tokens · generation$/);
  await h.wb.screenshot('models-loaded-memory');

  await h.wb.runCommand('Codex Vault: Unload Model');
  await h.wb.waitForQuickPickRow('stories260K.gguf');
  await h.wb.quickPickRows.filter({ hasText: 'stories260K.gguf' }).first().click();
  const after = await waitForRows((r) => r.some((x) => /stories260K\.gguf \| verified/.test(x)), 'the model did not go back to verified');
  assert.ok(!after.some((x) => /KV cache/.test(x)), 'memory figures remain after unloading');
  await h.wb.screenshot('models-unloaded');
});
