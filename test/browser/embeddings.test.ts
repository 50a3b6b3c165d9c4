// Embeddings in the background in a real VS Code (code-server) driven through Chromium: the
// embedding model named in settings (the real tiny model's file, never added) is verified on first
// use and backfills the sample vault in the vault worker, the status bar item shows the coverage,
// and the Pause/Rebuild commands follow the state (when clauses).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, hostForFile } from './harness/index';

const EMBED_STATUS = '[id="codex-vault.codex-vault.codexVault.embeddings"]';

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  // One engine thread: more than the cores would crawl (see docs/design.md, "Threads").
  return { workspace: ws, userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.embeddingModel': tinyModel } };
});

/** The embeddings item's accessible label ("Codex Vault: Embeddings 100%") once it matches. */
async function waitForEmbedStatus(re: RegExp, timeoutMs = 120_000): Promise<string> {
  const handle = await h.wb.page.waitForFunction(
    ([sel, src, flags]) => {
      const el = document.querySelector(sel);
      const label = el?.getAttribute('aria-label') ?? el?.querySelector('[aria-label]')?.getAttribute('aria-label') ?? el?.textContent ?? '';
      return new RegExp(src, flags).test(label) ? label : false;
    },
    [EMBED_STATUS, re.source, re.flags] as const,
    { timeout: timeoutMs, polling: 250 },
  );
  return String(await handle.jsonValue());
}

test('the embedding model named in settings is verified on first use and backfills to 100%; the status bar shows the coverage', { timeout: 300_000 }, async () => {
  // codexVault.embeddingModel names the tiny model's file, never added: the first backfill adds
  // (hashes) it and embeds every chunk, with no command.
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/\d+ files/, 120_000);
  const label = await waitForEmbedStatus(/Embeddings 100%/, 180_000);
  assert.match(label, /Codex Vault: Embeddings 100%/);
  await h.wb.screenshot('embeddings-coverage');
});

test('at 100% Rebuild is offered and Pause is not; the model shows as verified in the Models view', { timeout: 180_000 }, async () => {
  const titles = await h.wb.paletteTitles('Embedding');
  await h.wb.page.keyboard.press('Escape');
  assert.ok(titles.includes('Codex Vault: Rebuild Embeddings'), titles.join(', '));
  assert.ok(!titles.includes('Codex Vault: Pause Embedding'), titles.join(', '));
  await h.wb.runCommand('Codex Vault: Focus on Models View');
  const row = h.wb.page.locator('.monaco-list-row', { hasText: 'stories260K' }).first();
  await row.waitFor({ timeout: 30_000 });
  assert.doesNotMatch((await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '', /unverified|not hashed/i);
});
