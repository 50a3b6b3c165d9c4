// A damaged vault in a real VS Code (code-server + Chromium): after the window reloads onto a vault
// whose index pages were overwritten, the extension says so in a notification with the way out
// ("Rebuild Vault"), shows it in the status bar, writes nothing to the file, and the rebuild keeps
// the damaged file aside and indexes the notes into a fresh vault.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { overwritePages, pagesOf } from '../helpers/damage';
import { repoRoot } from '../helpers/paths';
import { copyToTemp, hostForFile } from './harness/index';

/** The vault.db the extension keeps in its workspace storage, under code-server's user data. */
function findVault(dir: string): string | undefined {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'vault.db' && statSync(p).isFile()) return p;
    if (lstatSync(p).isDirectory()) {
      const found = findVault(p);
      if (found) return found;
    }
  }
  return undefined;
}

/** Overwrites the pages of the notes' chunks and full-text data with bytes that are no SQLite page. */
function damageIndex(file: string): number {
  const pages = pagesOf(file, ['chunks', 'chunks_fts_data']);
  overwritePages(file, pages, { fill: 0xa5 });
  return pages.length;
}

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  return { workspace: ws };
});

test('a damaged vault: a notification with "Rebuild Vault", nothing written, and the rebuild restores search', { timeout: 400_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/\d+ files/, 120_000);
  const db = findVault(join(h.server.dir, 'ud', 'User', 'workspaceStorage'));
  assert.ok(db, 'the vault is in the workspace storage');
  // Quiet: the first index is done; the background check has had its turn.
  await new Promise((r) => setTimeout(r, 3000));

  // Reload onto the damaged file: the new extension host's worker opens it.
  assert.ok(damageIndex(db) > 0);
  const damaged = readFileSync(db);
  await h.wb.load();
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.page.keyboard.press('Escape');
  const toast = h.wb.page.locator('.notification-toast', { hasText: 'vault is damaged' });
  await toast.waitFor({ timeout: 90_000 });
  assert.match((await toast.textContent()) ?? '', /keeps your bookmarks and conversations/);
  await toast.locator('.monaco-button', { hasText: 'Rebuild Vault' }).waitFor();
  await h.wb.waitForVaultStatus(/Vault damaged/, 30_000);
  await h.wb.screenshot('vault-damaged-notification');
  // The extension writes nothing to it while it is damaged (an index is refused, not attempted).
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await new Promise((r) => setTimeout(r, 3000));
  assert.ok(readFileSync(db).equals(damaged), 'the damaged vault was not written');

  await h.wb.runCommand('Codex Vault: Rebuild Damaged Vault (keeps bookmarks and conversations)');
  await h.wb.waitForVaultStatus(/^\S*\s*\d+ files · \d+ chunks/, 120_000);
  assert.ok(readdirSync(join(db, '..')).some((f) => f.startsWith('vault.db.damaged-')), 'the damaged file is kept aside');
  assert.ok(existsSync(db));
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.typeInQuickPick('sourdough');
  await h.wb.waitForQuickPickRow('notes/sourdough.md');
  await h.wb.page.keyboard.press('Escape');
});
