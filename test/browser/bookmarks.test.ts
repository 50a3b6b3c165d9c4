// The Bookmarks view in a real VS Code (code-server) driven through Chromium like a person: add
// bookmarks from the palette and the editor, rename with F2, group into folders (drag and drop, and
// the keyboard command), delete with confirmation, reload the window and find them all again; a
// bookmark finds its text after lines are inserted above it; note markup renders inert.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { repoRoot } from '../helpers/paths';
import { copyToTemp, hostForFile, type HostSession } from './harness/index';

const TARGET = [
  '# Bookmark target', //           1
  '', //                            2
  'An opening paragraph.', //       3
  '', //                            4
  '## Tidal observatory', //        5
  '', //                            6
  'The tidal observatory records each high water mark.', // 7
  '', //                            8
  'Closing words.', //              9
].join('\n');
const INERT = [
  '# Inert markup',
  '',
  'zebracorn <script>window.__cvPwned = 1</script> and <img src="x" onerror="window.__cvPwned = 2"> end.',
  '',
].join('\n');

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'bm-target.md'), TARGET);
  writeFileSync(join(ws, 'bm-inert.md'), INERT);
  return { workspace: ws };
});

const page = (): HostSession['wb']['page'] => h.wb.page;
const pane = (): Locator => page().locator('.pane').filter({ has: page().locator('.pane-header[aria-label="Bookmarks Section"]') });
const rows = (): Locator => pane().locator('.monaco-list-row');
const row = (label: string): Locator => rows().filter({ has: page().locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });

async function showBookmarks(): Promise<void> {
  await h.wb.runCommand('Codex Vault: Focus on Bookmarks View');
  await pane().locator('.pane-body').waitFor({ state: 'visible', timeout: 20_000 });
}

/** Labels of the tree rows, indented by depth ("  " per level), top to bottom (read in one go: the tree re-renders). */
async function treeShape(): Promise<string[]> {
  return page().evaluate(() => {
    const header = document.querySelector('.pane-header[aria-label="Bookmarks Section"]');
    const rowsEl = header?.closest('.pane')?.querySelectorAll('.monaco-list-row') ?? [];
    return [...rowsEl].map((r) => `${'  '.repeat(Number(r.getAttribute('aria-level') ?? '1') - 1)}${(r.querySelector('.label-name')?.textContent ?? '').trim()}`);
  });
}

async function waitForShape(expected: string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await treeShape();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await page().waitForTimeout(200);
  }
  assert.deepEqual(last, expected);
}

async function openFile(name: string): Promise<void> {
  await h.wb.openPalette();
  await h.wb.quickInputBox.fill(name);
  await h.wb.waitForQuickPickRow(name);
  await page().keyboard.press('Enter');
  await page().waitForFunction((n) => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').includes(n), name, { timeout: 20_000 });
}

/** Puts the cursor on a line and selects it whole. */
async function selectLine(line: number): Promise<void> {
  await page().keyboard.press('F1');
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
  await h.wb.quickInputBox.fill(`:${line}`);
  await page().keyboard.press('Enter');
  await page().keyboard.press('Home');
  await page().keyboard.press('Shift+End');
  await page().waitForFunction((ln) => new RegExp(`^Ln ${ln}, Col \\d+ \\(\\d+ selected\\)`).test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), line, { timeout: 10_000 });
}

/**
 * Runs a palette command without clicking into the workbench first (Workbench.runCommand clicks the
 * middle of the window to focus it, which would move the editor's cursor and drop its selection).
 */
async function runKeepingSelection(title: string): Promise<void> {
  await page().keyboard.press('F1');
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
  await h.wb.quickInputBox.fill(`>${title}`);
  const exact = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const r = h.wb.quickPickRows.filter({ has: page().locator('.label-name', { hasText: exact }) }).first();
  await r.waitFor({ timeout: 20_000 });
  await r.click();
}

async function answerInput(text: string): Promise<void> {
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
  await h.wb.quickInputBox.fill(text);
  await page().keyboard.press('Enter');
}

test('add, rename, move into a folder and delete bookmarks; they survive a window reload', { timeout: 240_000 }, async () => {
  await showBookmarks();
  // The empty state says what to do.
  await pane().getByText('No bookmarks yet').waitFor({ timeout: 30_000 });

  await openFile('sourdough.md');
  await h.wb.runCommand('Codex Vault: Add Bookmark (File)');
  await waitForShape(['sourdough.md']);

  await openFile('bm-target.md');
  await selectLine(5);
  await runKeepingSelection('Codex Vault: Add Bookmark (Selection)');
  await waitForShape(['sourdough.md', '## Tidal observatory']);
  assert.match((await row('## Tidal observatory').textContent()) ?? '', /bm-target\.md:5/);

  // Rename with the keyboard: select the row, F2, type the new name.
  await h.wb.pressOnRow(row('## Tidal observatory'), 'F2', h.wb.quickInputBox);
  await answerInput('Tides');
  await waitForShape(['sourdough.md', 'Tides']);

  // A folder, then drag the file bookmark onto it.
  await row('Tides').click(); // a bookmark, not a folder, is selected: the folder goes to the top level
  await h.wb.runCommand('Codex Vault: New Bookmark Folder');
  await answerInput('Baking');
  await waitForShape(['sourdough.md', 'Tides', 'Baking']);
  await row('sourdough.md').dragTo(row('Baking'));
  await waitForShape(['Tides', 'Baking', '  sourdough.md']);

  // A nested folder, and a move with the keyboard command (the accessible way to do what dragging does).
  await row('Baking').click();
  await h.wb.runCommand('Codex Vault: New Bookmark Folder');
  await answerInput('Sea');
  await waitForShape(['Tides', 'Baking', '  sourdough.md', '  Sea']);
  await row('Tides').click();
  await h.wb.runCommand('Codex Vault: Move Bookmark to Folder…');
  await h.wb.waitForQuickPickRow('Sea');
  await h.wb.quickPickRows.filter({ hasText: 'Sea' }).first().click();
  await waitForShape(['Baking', '  sourdough.md', '  Sea', '    Tides']);
  await h.wb.screenshot('bookmarks-folders');

  // One more bookmark, then delete it (with confirmation).
  await openFile('git-habits.md');
  await h.wb.runCommand('Codex Vault: Add Bookmark (File)');
  await waitForShape(['Baking', '  sourdough.md', '  Sea', '    Tides', 'git-habits.md']);
  const dialog = page().locator('.monaco-dialog-box');
  await h.wb.pressOnRow(row('git-habits.md'), 'Delete', dialog);
  assert.match((await dialog.textContent()) ?? '', /Delete "git-habits\.md"\?/);
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await waitForShape(['Baking', '  sourdough.md', '  Sea', '    Tides']);

  // Reload the window: the bookmarks come back from the vault database.
  await h.wb.load();
  await showBookmarks();
  await waitForShape(['Baking', '  sourdough.md', '  Sea', '    Tides'], 60_000);
  await h.wb.screenshot('bookmarks-after-reload');

  // Opening a bookmark selects its lines. Right after a reload the tree may re-render under the
  // pointer as the vault comes back (a click on a row being replaced is lost), so click again
  // until the editor shows the selection.
  const selected = (): Promise<unknown> => page().waitForFunction(() => /^Ln 5, Col \d+ \(\d+ selected\)/.test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), undefined, { timeout: 10_000 });
  let opened = false;
  for (let attempt = 0; attempt < 4 && !opened; attempt++) {
    await row('Tides').click();
    opened = await selected().then(() => true, () => false);
  }
  assert.ok(opened, 'opening the "Tides" bookmark did not select its lines (Ln 5)');
});

test('a bookmark finds its text again after lines are inserted above it', { timeout: 180_000 }, async () => {
  await showBookmarks();
  await openFile('bm-target.md');
  await selectLine(7);
  await runKeepingSelection('Codex Vault: Add Bookmark (Selection)');
  const label = 'The tidal observatory records each high water mark.';
  await row(label).waitFor({ timeout: 20_000 });
  assert.match((await row(label).textContent()) ?? '', /bm-target\.md:7/);

  // Three lines typed at the top of the note, saved.
  await page().keyboard.press('F1');
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
  await h.wb.quickInputBox.fill(':1');
  await page().keyboard.press('Enter');
  await page().keyboard.press('Home');
  await page().keyboard.type('Inserted one.\nInserted two.\nInserted three.\n');
  await page().keyboard.press('Control+S');
  // The save re-finds the text: the row now says line 10 (and that it moved).
  await page().waitForFunction(
    (l) => [...document.querySelectorAll('.monaco-list-row')].some((r) => r.textContent?.includes(l) && /bm-target\.md:10/.test(r.textContent ?? '')),
    label, { timeout: 20_000 },
  );
  assert.match((await row(label).textContent()) ?? '', /moved/);
  // Opening it selects line 10, where the text is now.
  await page().keyboard.press('Control+Home');
  await row(label).click();
  await page().waitForFunction(() => /^Ln 10, Col \d+ \(\d+ selected\)/.test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), undefined, { timeout: 20_000 });
  await h.wb.screenshot('bookmark-found-after-insert');

  // Its text deleted: the bookmark says its text is gone. (Opening from the tree keeps the focus in
  // the tree, as the Explorer does: move it to the editor without touching the selection.)
  await runKeepingSelection('View: Focus Active Editor Group');
  await page().keyboard.press('Control+L'); // expand the selection to the whole line
  await page().keyboard.press('Delete');
  await page().keyboard.press('Control+S');
  await page().waitForFunction((l) => [...document.querySelectorAll('.monaco-list-row')].some((r) => r.textContent?.includes(l) && /text gone/.test(r.textContent ?? '')), label, { timeout: 20_000 });
  await row(label).click();
  await page().locator('.notifications-toasts').getByText(/bookmarked text of .* is gone/).waitFor({ timeout: 20_000 });
  await h.wb.screenshot('bookmark-text-gone');
});

test('Bookmark Search Result from the palette: search, pick a result, and it is bookmarked at its lines', { timeout: 120_000 }, async () => {
  await showBookmarks();
  await h.wb.waitForVaultStatus(/\d+ files/, 90_000); // indexed: search has something to find
  await h.wb.runCommand('Codex Vault: Bookmark Search Result');
  await answerInput('observatory');
  const hit = await h.wb.waitForQuickPickRow('bm-target.md');
  await hit.click();
  const r = rows().filter({ hasText: 'Tidal observatory' }).filter({ hasText: /bm-target\.md:\d+/ }).last();
  await r.waitFor({ timeout: 20_000 });
  await h.wb.screenshot('bookmark-search-result');
});

test('note markup in a bookmark renders inert in the view', { timeout: 120_000 }, async () => {
  await showBookmarks();
  await openFile('bm-inert.md');
  await selectLine(3);
  await runKeepingSelection('Codex Vault: Add Bookmark (Selection)');
  const r = rows().filter({ hasText: 'zebracorn' }).first();
  await r.waitFor({ timeout: 20_000 });
  const text = (await r.textContent()) ?? '';
  assert.match(text, /<script>window\.__cvPwned = 1<\/script>/, 'the markup is shown as text');
  assert.equal(await r.locator('script, img').count(), 0);
  await r.hover();
  await page().waitForTimeout(1500); // let the hover tooltip render, if any
  assert.equal(await page().locator('.monaco-hover img, .monaco-hover script').count(), 0);
  assert.equal(await page().evaluate(() => (window as unknown as { __cvPwned?: number }).__cvPwned), undefined);
  await h.wb.screenshot('bookmark-inert-html');
});
