// The second real host: code-server 4.103.2 (VS Code 1.103) on Node 22, both installed by
// scripts/host/setup.mjs. The MCP server definition provider needs VS Code 1.101+; this host runs
// its in-host suite (test/host/suite/mcpProvider.test.ts) and, on the newer API, the language-model
// tools and @vault suite again (test/host/suite/lm.test.ts). The default host stays 4.100.3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostForFile, reportHostSuite } from './harness/index';
import { ASSISTANT_SETTINGS, assistantWorkspace } from './lmWorkspace';

const h = hostForFile(() => {
  const ws = assistantWorkspace();
  return { workspace: ws, host: 'next', userSettings: ASSISTANT_SETTINGS, hostSuite: { filter: '^(mcpProvider|lm)\\.' } };
});

test('VS Code 1.103: MCP server definition provider, language-model tools and @vault (in-host suite)', { timeout: 500_000 }, async (t) => {
  const results = await reportHostSuite(t, h, { timeoutMs: 480_000, atLeast: 10 });
  assert.ok(results.tests.some((r) => /MCP server definition/.test(r.title)), 'the MCP provider suite did not run');
});

/** MCP: List Servers, then the Codex Vault row; returns the row's text (its status). */
async function codexVaultServerRow(): Promise<string> {
  await h.wb.runCommand('MCP: List Servers');
  const row = await h.wb.waitForQuickPickRow('Codex Vault', 60_000);
  return (await row.textContent()) ?? '';
}

/** Picks an action of the Codex Vault server: each list is filtered to the one row, which Enter takes. */
async function serverAction(action: string): Promise<void> {
  await codexVaultServerRow();
  await h.wb.typeInQuickPick('Codex Vault');
  await h.wb.page.keyboard.press('Enter');
  await h.wb.waitForQuickPickRow(action);
  await h.wb.typeInQuickPick(action);
  await h.wb.page.keyboard.press('Enter');
}

test('VS Code itself lists the offered server (MCP: List Servers), starts it, and finds its tools', { timeout: 240_000 }, async () => {
  try {
    assert.match(await codexVaultServerRow(), /Codex Vault/);
    await h.wb.screenshot('mcp-list-servers');
    await h.wb.page.keyboard.press('Escape');
    // VS Code resolves the definition (the extension makes sure the vault is indexed) and runs the bundled CLI.
    await serverAction('Start Server');
    const deadline = Date.now() + 90_000;
    let status = '';
    while (!/Running/.test(status) && Date.now() < deadline) {
      await h.wb.page.waitForTimeout(1000);
      await h.wb.page.keyboard.press('Escape');
      status = await codexVaultServerRow();
    }
    assert.match(status, /Running/);
    await h.wb.page.keyboard.press('Escape');
    // The server's output channel: its start-up line (on stderr) and the tools VS Code found.
    await serverAction('Show Output');
    const output = h.wb.page.locator('.part.panel');
    await output.filter({ hasText: 'Discovered 3 tools' }).waitFor({ timeout: 60_000 });
    await output.filter({ hasText: 'codex-vault mcp: serving' }).waitFor({ timeout: 10_000 });
    await h.wb.screenshot('mcp-server-started');
  } catch (err) {
    await h.wb.screenshot('mcp-server-failed');
    throw err;
  }
});
