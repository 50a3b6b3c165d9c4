// The extension in a real VS Code (code-server) driven through Chromium like a person: the in-host
// mocha suite, palette commands, indexing the Rust book, search and open at the right line, inert
// note HTML, status bar counts, a settings change applied without reload. Screenshots: test-results/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, rustBook } from '../helpers/paths';
import { quasarNote } from '../helpers/targetNote';
import { copyToTemp, hostForFile, reportHostSuite, VAULT_STATUS } from './harness/index';

const TARGET = quasarNote('Vault test target');
const INERT = [
  '# Inert markup',
  '',
  'zebracorn $(alert) <script>window.__cvPwned = 1</script> and <img src="x" onerror="window.__cvPwned = 2"> end.',
  '',
].join('\n');

function countMarkdown(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'node_modules' && name !== '.git') n += countMarkdown(p); }
    else if (/\.(md|markdown)$/i.test(name)) n++;
  }
  return n;
}

function filesInStatus(text: string): number {
  const m = /([\d,]+) files/.exec(text);
  assert.ok(m, `status bar shows no file count: "${text}"`);
  return Number(m[1]!.replace(/,/g, ''));
}

const h = hostForFile(() => {
  const ws = copyToTemp(existsSync(rustBook) ? rustBook : join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'vault-test-target.md'), TARGET);
  writeFileSync(join(ws, 'zz-inert.md'), INERT);
  return { workspace: ws, hostSuite: { filter: '^extension' } };
});

test('in-host mocha suite', { timeout: 300_000 }, async (t) => {
  await reportHostSuite(t, h, { timeoutMs: 280_000 });
});

test('commands are in the palette under "Codex Vault", with when clauses', { timeout: 60_000 }, async () => {
  // The palette's list is virtual (only visible rows are in the DOM): ask for each title.
  for (const t of ['Codex Vault: Search Vault', 'Codex Vault: Index Workspace', 'Codex Vault: Show Log', 'Codex Vault: Show Vault Status', 'Codex Vault: Open Settings']) {
    const titles = await h.wb.paletteTitles(t);
    assert.ok(titles.includes(t), `${t} missing from the palette: ${titles.join(' | ')}`);
  }
  // Nothing is indexing: the cancel command is hidden.
  const titles = await h.wb.paletteTitles('Codex Vault: Cancel Indexing');
  assert.ok(!titles.includes('Codex Vault: Cancel Indexing'));
});

test('Index Workspace from the palette; the status bar shows the files and chunks', { timeout: 120_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  // The command reports its result in the status bar when the run is over.
  await h.wb.page.locator('#workbench\\.parts\\.statusbar', { hasText: /Codex Vault: indexed \(\+\d+ ~\d+ -\d+\)/ }).waitFor({ timeout: 90_000 });
  const expected = countMarkdown(h.workspace);
  const text = await h.wb.waitForVaultStatus(new RegExp(`^${expected.toLocaleString('en-US')} files · [\\d,]+ chunks$`), 90_000);
  assert.equal(filesInStatus(text), expected);
  await h.wb.screenshot('status-bar-indexed');
});

test('the status bar item opens a quick menu of actions', { timeout: 60_000 }, async () => {
  await h.wb.page.locator(`${VAULT_STATUS} a, ${VAULT_STATUS}`).first().click();
  await h.wb.waitForQuickPickRow('Search Vault');
  const rows = (await h.wb.quickPickRows.allTextContents()).join(' | ');
  assert.match(rows, /Index Workspace/);
  assert.match(rows, /Show Log/);
  await h.wb.screenshot('status-bar-menu');
  await h.wb.page.keyboard.press('Escape');
});

test('Search Vault: results as you type; Enter opens the note with the chunk selected', { timeout: 120_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.typeInQuickPick('quasarlighthouse');
  const row = await h.wb.waitForQuickPickRow('vault-test-target.md');
  const rowText = (await row.textContent()) ?? '';
  assert.match(rowText, /Quasar lighthouse/);
  const m = /vault-test-target\.md:(\d+)–(\d+)/.exec(rowText);
  assert.ok(m, `no line range in "${rowText}"`);
  const [start, end] = [Number(m[1]), Number(m[2])];
  assert.ok(start <= 7 && end >= 7, `the hit ${start}–${end} does not contain line 7`);
  await h.wb.screenshot('search-quasar');
  await row.click();
  await h.wb.page.waitForFunction(() => /vault-test-target\.md/.test(document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') ?? ''), undefined, { timeout: 20_000 });
  // The selection runs from the chunk's first line to the end of its last: the cursor sits on `end`.
  await h.wb.page.waitForFunction((ln) => new RegExp(`^Ln ${ln}, Col \\d+ \\(\\d+ selected\\)`).test(document.querySelector('[id="status.editor.selection"]')?.textContent?.trim() ?? ''), end, { timeout: 20_000 });
  await h.wb.screenshot('search-opened-at-lines');
});

if (existsSync(rustBook)) {
  test('Search Vault finds the Rust book chapter on references and borrowing', { timeout: 120_000 }, async () => {
    await h.wb.runCommand('Codex Vault: Search Vault');
    await h.wb.typeInQuickPick('dangling references');
    const row = await h.wb.waitForQuickPickRow('ch04-02-references-and-borrowing.md');
    assert.match((await row.textContent()) ?? '', /Dangling References/i);
    await h.wb.screenshot('search-rust-book');
    await h.wb.page.keyboard.press('Escape');
  });

  test('Search Vault finds what a word typed with a slip meant, while it is typed', { timeout: 120_000 }, async () => {
    await h.wb.runCommand('Codex Vault: Search Vault');
    // No note holds "borowing", nor any word starting with it: it is corrected to the book's word.
    await h.wb.typeInQuickPick('borowing');
    const row = await h.wb.waitForQuickPickRow('ch04-02-references-and-borrowing.md');
    assert.match((await row.textContent()) ?? '', /borrow/i);
    await h.wb.screenshot('search-slip');
    await h.wb.page.keyboard.press('Escape');
  });
}

test('the last query is remembered', { timeout: 60_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.typeInQuickPick('zebracorn');
  await h.wb.waitForQuickPickRow('zz-inert.md');
  await h.wb.page.keyboard.press('Escape');
  // Reopened with its keybinding this time.
  await h.wb.page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } });
  await h.wb.page.keyboard.press('Control+Alt+KeyF');
  await h.wb.waitForQuickPickRow('zz-inert.md');
  assert.match(await h.wb.quickPickTitle(), /Search Vault/);
  assert.equal(await h.wb.quickInputBox.inputValue(), 'zebracorn');
  await h.wb.page.keyboard.press('Escape');
});

test('a note with HTML and script renders inert in the search results', { timeout: 60_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.typeInQuickPick('zebracorn');
  const row = await h.wb.waitForQuickPickRow('zz-inert.md');
  const text = (await row.textContent()) ?? '';
  assert.match(text, /<script>window\.__cvPwned = 1<\/script>/, 'the markup is shown as text');
  assert.match(text, /\$\u200b?\(alert\)/, 'a $(icon) in a note is not turned into an icon');
  assert.equal(await row.locator('script, img').count(), 0);
  assert.equal(await h.wb.page.evaluate(() => (window as unknown as { __cvPwned?: number }).__cvPwned), undefined);
  await h.wb.screenshot('search-inert-html');
  await h.wb.page.keyboard.press('Escape');
});

test('an exclude glob in the workspace settings applies without a reload', { timeout: 120_000 }, async () => {
  const all = filesInStatus(await h.wb.waitForVaultStatus(/files/));
  mkdirSync(join(h.workspace, '.vscode'), { recursive: true });
  const settings = join(h.workspace, '.vscode', 'settings.json');
  writeFileSync(settings, JSON.stringify({ 'codexVault.exclude': ['zz-*.md', 'vault-test-*.md'] }));
  try {
    const text = await h.wb.waitForVaultStatus(new RegExp(`^${(all - 2).toLocaleString('en-US')} files`), 60_000);
    assert.equal(filesInStatus(text), all - 2);
    await h.wb.screenshot('status-bar-after-exclude');
  } finally {
    writeFileSync(settings, '{}');
  }
  await h.wb.waitForVaultStatus(new RegExp(`^${all.toLocaleString('en-US')} files`), 60_000);
});
