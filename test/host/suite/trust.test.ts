// In-host tests for an UNTRUSTED workspace (the browser test starts this host without
// --disable-workspace-trust, with model settings in the workspace's .vscode/settings.json).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { RESTRICTED_KEYS } from '../../../src/services/settings';
import { api, readSettings } from './hostUtil';


suite('Codex Vault in an untrusted workspace (in host)', () => {
  test('the workspace is untrusted and the extension is active (limited support)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const a = await api();
    assert.ok(a.activationMs >= 0);
  });

  test('model paths and manifest from the workspace settings are ignored; user values are used', () => {
    const cfg = vscode.workspace.getConfiguration('codexVault');
    // The test wrote these into the workspace's .vscode/settings.json: prove they are there...
    const chat = cfg.inspect<string>('chatModel');
    assert.equal(chat?.globalValue, '/user/models/chat.gguf');
    // ...and that none of them reaches the extension.
    const s = readSettings();
    assert.equal(s.chatModel, '/user/models/chat.gguf');
    assert.equal(s.embeddingModel, '');
    assert.equal(s.manifestFile, '');
    assert.equal(s.modelsFolder, '');
    assert.deepEqual(s.extraModels, []);
    for (const key of RESTRICTED_KEYS) {
      const v = JSON.stringify(readSettings()[key]);
      assert.ok(!v.includes('/evil/'), `${key} came from the untrusted workspace: ${v}`);
    }
  });

  test('the workspace cannot make the indexer follow symbolic links out of it', () => {
    // The workspace's settings.json says true (the browser test wrote it); a restricted setting's
    // workspace value does not reach the extension in restricted mode.
    assert.equal(readSettings().index.followExternalSymlinks, false);
  });

  test('unrestricted workspace settings still apply (include/exclude)', () => {
    assert.deepEqual(readSettings().index.exclude, ['drafts/**']);
  });

  test('the language-model tools work here too: they read only the workspace\'s own notes and use no model setting', async () => {
    const a = await api();
    assert.equal(a.lm.toolsRegistered, true);
    await a.index();
    const r = await vscode.lm.invokeTool('codexVault_search', { input: { query: 'sourdough' }, toolInvocationToken: undefined });
    const text = r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /notes\/sourdough\.md:\d+-\d+/);
  });
});
