// Workspace trust in a real VS Code: code-server started WITHOUT --disable-workspace-trust opens a folder
// whose .vscode/settings.json points the model settings at files of its own. The folder is untrusted
// (restricted mode); the in-host suite (test/host/suite/trust.test.ts) checks that none of those values
// reaches the extension while the user's own values do.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../helpers/paths';
import { copyToTemp, startHost, reportHostSuite, type HostSession } from './harness/index';

let h: HostSession;
let ws: string;

before(async () => {
  ws = copyToTemp(join(repoRoot, 'sample-vault'));
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
  h = await startHost({
    workspace: ws,
    trustAll: false,
    userSettings: { 'codexVault.chatModel': '/user/models/chat.gguf' },
    hostSuite: { filter: '^trust' },
  });
}, { timeout: 240_000 });

after(async () => {
  await h?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
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
