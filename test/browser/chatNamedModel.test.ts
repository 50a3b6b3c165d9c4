// A chat model named in settings is used: with codexVault.chatModel set to the path of a local
// .gguf file (the real tiny model) that was never added, the chat shows it as its model (not "No
// chat model yet"), and the first question verifies it (hashed, in a notification with Cancel) and
// is answered. Real VS Code (code-server) driven through Chromium.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, hostForFile } from './harness/index';

const h = hostForFile(() => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'zorblax.md'), '# Zorblax rules\n\n## The zorblax checker\n\nThe zorblax checker enforces that every zorblax value has exactly one owner.\n');
  return {
    workspace: ws,
    userSettings: {
      'codexVault.chatModel': tinyModel,
      'codexVault.threads': 1,
      'codexVault.gpu': 'cpu',
      'codexVault.contextSize': 2048,
      'codexVault.sampling.maxTokens': 64,
    },
  };
}, { timeoutMs: 400_000, retryStart: true });

const chat = () => h.wb.webviewFrame();

test('the model named in settings is the chat model at once, and answers after verifying itself', { timeout: 300_000 }, async () => {
  await h.wb.runCommand('Codex Vault: Index Workspace');
  await h.wb.waitForVaultStatus(/files/, 90_000);
  await h.wb.runCommand('Codex Vault: Open Chat');
  await chat().locator('#question').waitFor({ timeout: 60_000 });
  await chat().locator('#model-select option:checked', { hasText: 'stories260K' }).waitFor({ state: 'attached', timeout: 60_000 });
  assert.equal(await chat().getByRole('region', { name: 'No chat model' }).count(), 0, 'the chat says it has no model');
  assert.ok(await chat().locator('#question').isEnabled());

  const box = chat().locator('#question');
  await box.fill('What does the zorblax checker enforce?');
  await box.press('Enter');
  await chat().locator('.msg-pair').waitFor({ state: 'detached', timeout: 180_000 });
  const last = chat().locator('.msg.assistant[data-status]').last();
  assert.equal(await last.getAttribute('data-status'), 'complete');
  assert.ok(((await last.locator('.msg-body').textContent()) ?? '').trim().length > 0, 'the answer is empty');
  await h.wb.screenshot('chat-named-model-answered');

  // Verified for good: the Models view lists it as a verified (or loaded) local model.
  await h.wb.runCommand('Codex Vault: Focus on Models View');
  const row = h.wb.page.locator('.monaco-list-row', { hasText: 'stories260K' }).first();
  await row.waitFor({ timeout: 30_000 });
  assert.doesNotMatch((await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '', /unverified|not hashed/i);
});
