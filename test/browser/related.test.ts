// The Related Notes view in a real VS Code (code-server) driven through Chromium: it follows the
// active editor (open a note: its related notes; open another: they change, and never the note
// itself), and a click opens the related note at its closest passage, lines selected.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator } from 'playwright-core';
import { hostForFile, type HostSession } from './harness/index';

const NOTES: Record<string, string> = {
  'compost.md': '# Compost heap\n\nTurning the heap lets mycelium and hyphae spread; leachate drains away.\n',
  'fungi.md': '# Fungi\n\nMycelium and hyphae thread through leachate-soaked soil.\n',
  'taxes.md': '# Tax forms\n\nFile the forms by April with the receipts and invoices.\n',
  'tax-office.md': '# Tax office\n\nThe office wants receipts, invoices and forms before April.\n',
};

const h = hostForFile(() => {
  const ws = mkdtempSync(join(tmpdir(), 'cv-ws-related-'));
  for (const [name, text] of Object.entries(NOTES)) writeFileSync(join(ws, name), text);
  return { workspace: ws };
});

const page = (): HostSession['wb']['page'] => h.wb.page;
// The header's label is the view's name, then its description (the note followed) once set.
const pane = (): Locator => page().locator('.pane').filter({ has: page().locator('.pane-header[aria-label^="Related Notes"]') });

async function waitForRows(expected: string[]): Promise<void> {
  try {
    await h.wb.waitForTreeLabels('Related Notes', expected);
  } catch (err) {
    // What the view shows instead (an empty state's text, or other rows) says why.
    const shown = await page().evaluate(() => document.querySelector('.pane-header[aria-label^="Related Notes"]')?.closest('.pane')?.textContent ?? '(no section)');
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nthe view shows: ${shown}`);
  }
}
const openFile = (name: string): Promise<void> => h.wb.openFile(name);

test('the Related Notes view follows the active editor and opens the closest passage', { timeout: 240_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/^4 files/, 120_000);
  await h.wb.runCommand('Codex Vault: Focus on Related Notes View');
  await pane().locator('.pane-body').waitFor({ state: 'visible', timeout: 20_000 });
  // No note open yet: the empty state says what the view does.
  await pane().getByText('Open a Markdown note of the workspace').waitFor({ timeout: 20_000 });

  await openFile('compost.md');
  await waitForRows(['Fungi']);
  await openFile('taxes.md');
  await waitForRows(['Tax office']);
  const row = pane().locator('.monaco-list-row', { hasText: 'Tax office' }).first();
  assert.match((await row.textContent()) ?? '', /shares .*(receipts|invoices|forms|april)/i);
  await h.wb.screenshot('related-notes');

  await row.click();
  await page().waitForFunction(() => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? '').startsWith('tax-office.md'), undefined, { timeout: 20_000 });
  // The passage's lines are selected (status bar: "Ln 3, Col 62 (… selected)" or similar).
  await page().waitForFunction(() => /\(\d+ selected\)/.test(document.querySelector('[id="status.editor.selection"]')?.textContent ?? ''), undefined, { timeout: 20_000 });
  // Now tax-office.md is active: the view follows it.
  await waitForRows(['Tax forms']);
});
