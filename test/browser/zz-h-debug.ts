import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tinyModel } from '../helpers/paths';
import { copyToTemp, startHost } from './harness/index';
(async () => {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'zorblax.md'), '# Z\n\nThe zorblax checker enforces one owner.\n');
  const h = await startHost({ workspace: ws, userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.contextSize': 2048 } });
  try {
    await h.wb.runCommand('Codex Vault: Open Chat');
    const chat = h.wb.webviewFrame();
    await chat.getByRole('button', { name: /Choose a chat model/ }).click({ timeout: 60000 });
    await h.wb.page.waitForTimeout(3000);
    await h.wb.page.screenshot({ path: '/tmp/hdbg/1-pick.png' });
    const row = await h.wb.waitForQuickPickRow('Add a local GGUF file');
    await row.click();
    await h.wb.page.waitForTimeout(3000);
    await h.wb.page.screenshot({ path: '/tmp/hdbg/2-dialog.png' });
    await h.wb.quickInputBox.fill(tinyModel);
    await h.wb.page.waitForTimeout(1000);
    await h.wb.page.screenshot({ path: '/tmp/hdbg/3-typed.png' });
    await h.wb.page.keyboard.press('Enter');
    await h.wb.page.waitForTimeout(15000);
    await h.wb.page.screenshot({ path: '/tmp/hdbg/4-after.png' });
    await h.wb.runCommand('Codex Vault: Show Log');
    await h.wb.page.waitForTimeout(3000);
    await h.wb.page.screenshot({ path: '/tmp/hdbg/5-log.png' });
    const logText = await h.wb.page.locator('.panel .monaco-editor .view-lines').textContent().catch(() => '');
    console.log(logText);
  } finally {
    await h.stop();
  }
})();
