// In-host tests of the extension (run inside the real extension host; see index.ts).
import * as assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, readSettings, waitFor, workspaceRoot } from './hostUtil';


async function closeQuickInput(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
}

suite('Codex Vault extension (in host)', () => {
  test('activates and reports its activation time', async () => {
    const a = await api();
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.equal(ext.isActive, true);
    assert.equal(typeof a.activationMs, 'number');
    assert.ok(a.activationMs >= 0);
    console.log(`activation: ${a.activationMs} ms`);
  });

  test('every contributed command is registered, under the "Codex Vault" category', async () => {
    await api();
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; category?: string }[] } }).contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c.command)).map((c) => c.command);
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    const uncategorized = contributed.filter((c) => c.category !== 'Codex Vault').map((c) => c.command);
    assert.deepEqual(uncategorized, []);
  });

  test('Index Workspace indexes the folder; search finds a note', async () => {
    const a = await api();
    await vscode.commands.executeCommand('codexVault.index');
    const state = await waitFor('an indexed vault', () => {
      const s = a.vaultState();
      return s.phase === 'ready' && (s.stats?.files ?? 0) > 0 ? s : undefined;
    }, 60_000);
    assert.ok((state.stats?.chunks ?? 0) >= state.stats!.files);
    const res = await a.search('quasarlighthouse');
    assert.equal(res.items[0]?.path, 'vault-test-target.md');
    assert.equal(res.mode, 'lexical');
  });

  test('Search Vault, Show Vault Status, Show Log, Open Settings and Cancel Indexing run', async () => {
    await api();
    const search = vscode.commands.executeCommand('codexVault.search', 'quasarlighthouse');
    await new Promise((r) => setTimeout(r, 300));
    await closeQuickInput();
    await search;
    const menu = vscode.commands.executeCommand('codexVault.showStatusMenu');
    await new Promise((r) => setTimeout(r, 300));
    await closeQuickInput();
    await menu;
    await vscode.commands.executeCommand('codexVault.showLog');
    await vscode.commands.executeCommand('codexVault.openSettings');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // Nothing is indexing now, so there is nothing to cancel.
    assert.equal(await vscode.commands.executeCommand('codexVault.cancelIndexing'), false);
  });

  test('hybrid search falls back to full text, saying why, when there are no embeddings', async () => {
    const a = await api();
    const res = await a.search('quasarlighthouse', 'hybrid');
    assert.equal(res.mode, 'lexical');
    assert.match(res.fallbackReason ?? '', /embedding/i);
    assert.equal(res.items[0]?.path, 'vault-test-target.md');
  });

  test('a note written on disk is searchable without a command (file watcher)', async () => {
    const a = await api();
    const file = join(workspaceRoot(), 'live-note-inhost.md');
    writeFileSync(file, '# Live\n\nThe word xylophonequartz appears only here.\n');
    try {
      await waitFor('the new note in search', async () => ((await a.search('xylophonequartz')).items.length > 0 ? true : undefined), 20_000);
      rmSync(file);
      await waitFor('the deleted note gone from search', async () => ((await a.search('xylophonequartz')).items.length === 0 ? true : undefined), 20_000);
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('changing codexVault.exclude re-scans without a reload', async () => {
    const a = await api();
    const cfg = vscode.workspace.getConfiguration('codexVault');
    const before = (await a.search('quasarlighthouse')).items.length;
    assert.ok(before > 0);
    await cfg.update('exclude', ['vault-test-*.md'], vscode.ConfigurationTarget.Workspace);
    try {
      assert.deepEqual(readSettings().index.exclude, ['vault-test-*.md']);
      await waitFor('the excluded note gone', async () => ((await a.search('quasarlighthouse')).items.length === 0 ? true : undefined), 30_000);
    } finally {
      await cfg.update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the note back after the exclude is removed', async () => ((await a.search('quasarlighthouse')).items.length > 0 ? true : undefined), 30_000);
  });

  test('settings are read with their defaults and ranges', () => {
    const s = readSettings();
    assert.deepEqual(s.index.include, ['**/*.md', '**/*.markdown']);
    assert.equal(s.gpu, 'auto');
    assert.ok(s.sampling.temperature >= 0 && s.sampling.temperature <= 2);
    assert.equal(s.index.maxFileBytes, 2048 * 1024);
  });

  test('the workspace is trusted here, so workspace model settings apply', async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const cfg = vscode.workspace.getConfiguration('codexVault');
    await cfg.update('chatModel', '/models/workspace-chat.gguf', vscode.ConfigurationTarget.Workspace);
    try {
      assert.equal(readSettings().chatModel, '/models/workspace-chat.gguf');
    } finally {
      await cfg.update('chatModel', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
