// Workspace trust in a real VS Code: code-server started WITHOUT --disable-workspace-trust opens a folder
// whose .vscode/settings.json points the model settings at files of its own. The folder is untrusted
// (restricted mode); the in-host suite (test/host/suite/trust.test.ts) checks that none of those values
// reaches the extension while the user's own values do.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths';
import { copyToTemp, hostForFile, reportHostSuite } from './harness/index';

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({
    'codexVault.chatModel': '/evil/chat.gguf',
    'codexVault.embeddingModel': '/evil/embed.gguf',
    'codexVault.manifestFile': '/evil/manifest.json',
    'codexVault.modelsFolder': '/evil/models',
    'codexVault.extraModels': ['/evil/extra.gguf'],
    'codexVault.exclude': ['drafts/**'],
    'codexVault.followExternalSymlinks': true,
  }, null, 2));
  return {
    workspace: ws,
    trustAll: false,
    userSettings: { 'codexVault.chatModel': '/user/models/chat.gguf' },
    hostSuite: { filter: '^trust' },
  };
});

test('untrusted workspace: in-host trust suite', { timeout: 300_000 }, async (t) => {
  await reportHostSuite(t, h, { timeoutMs: 280_000, atLeast: 4 });
});

test('untrusted workspace: the workbench shows restricted mode and search still works', { timeout: 120_000 }, async () => {
  await h.wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
  await h.wb.runCommand('Codex Vault: Search Vault');
  await h.wb.typeInQuickPick('sourdough');
  await h.wb.waitForQuickPickRow('notes/sourdough.md');
  await h.wb.screenshot('untrusted-restricted-mode-search');
  await h.wb.page.keyboard.press('Escape');
});
