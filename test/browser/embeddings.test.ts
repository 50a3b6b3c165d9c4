// Embeddings in the background in a real VS Code (code-server) driven through Chromium: the chosen
// embedding model (the real tiny model) backfills the sample vault in the vault worker, the status
// bar item shows the coverage, and the Pause/Resume/Rebuild commands follow the state (when clauses).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, startHost, type HostSession } from './harness/index';

const EMBED_STATUS = '[id="codex-vault.codex-vault.codexVault.embeddings"]';

let h: HostSession;
let ws: string;

before(async () => {
  ws = copyToTemp(join(repoRoot, 'sample-vault'));
  // One engine thread: more than the cores would crawl (see docs/design.md, "Threads").
  h = await startHost({ workspace: ws, userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.embeddingModel': tinyModel } });
}, { timeout: 240_000 });

after(async () => {
  await h?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
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

test('a chosen model that was never added: the item says so and Resume is offered, Pause is not', { timeout: 240_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/\d+ files/, 120_000);
  const label = await waitForEmbedStatus(/Embeddings/);
  assert.doesNotMatch(label, /\d+%/, label);
  const titles = await h.wb.paletteTitles('Embedding');
  await h.wb.page.keyboard.press('Escape');
  assert.ok(titles.includes('Codex Vault: Resume Embedding'), titles.join(', '));
  assert.ok(!titles.includes('Codex Vault: Pause Embedding'), titles.join(', '));
});

test('after the model is added, Resume backfills to 100% and the status bar shows the coverage', { timeout: 300_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Add Local GGUF Model…');
  await h.wb.quickInputBox.waitFor({ state: 'visible', timeout: 15_000 });
  await h.wb.acceptPathInOpenDialog(tinyModel, 'stories260K.gguf');
  await h.wb.page.locator('.notifications-toasts').getByText(/added stories260K\.gguf/).waitFor({ timeout: 60_000 });
  await h.wb.runCommand('Codex Vault: Resume Embedding');
  const label = await waitForEmbedStatus(/Embeddings 100%/, 180_000);
  assert.match(label, /Codex Vault: Embeddings 100%/);
  await h.wb.screenshot('embeddings-coverage');
  const titles = await h.wb.paletteTitles('Embedding');
  await h.wb.page.keyboard.press('Escape');
  assert.ok(titles.includes('Codex Vault: Rebuild Embeddings'), titles.join(', '));
  assert.ok(!titles.includes('Codex Vault: Pause Embedding'), titles.join(', '));
});
