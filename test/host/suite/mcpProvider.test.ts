// In-host tests of the MCP server definition provider, in a VS Code that has the API (1.101+: the
// second test host, code-server 4.103.2, started by test/browser/mcpProvider.test.ts). The definition
// the provider offers is started exactly as VS Code starts it -- its command, arguments and
// environment -- and spoken to with the MCP SDK's own client: it must serve this workspace's vault.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { api, indexedFor, workspaceRoot } from './hostUtil';

suite('Codex Vault MCP server definition (in host, VS Code 1.101+)', () => {
  suiteSetup(async function () {
    this.timeout(120_000);
    await indexedFor('quasarlighthouse');
  });

  test('this VS Code has the final MCP API, and the provider is registered with it', async () => {
    const [major, minor] = vscode.version.split('.').map(Number) as [number, number];
    assert.ok(major > 1 || minor >= 101, `VS Code ${vscode.version} is too old for this suite`);
    const lm = vscode.lm as unknown as Record<string, unknown>;
    assert.equal(typeof lm.registerMcpServerDefinitionProvider, 'function');
    assert.equal((await api()).lm.mcpProviderRegistered, true);
  });

  test('it offers the bundled CLI as an MCP server over the workspace vault, run by the extension host\'s own Node', async () => {
    const defs = (await api()).lm.mcpServerDefinitions();
    assert.equal(defs.length, 1);
    const d = defs[0]!;
    assert.equal(d.label, 'Codex Vault');
    assert.equal(d.command, process.execPath);
    assert.equal(d.env.ELECTRON_RUN_AS_NODE, '1');
    assert.equal(d.args[1], 'mcp');
    assert.equal(d.args[2], '--db');
    assert.match(d.args[0]!, /[\\/]dist[\\/]cli\.js$/);
    assert.ok(existsSync(d.args[0]!), `${d.args[0]} is missing`);
    assert.match(d.args[3]!, /[\\/]vault\.db$/);
    assert.ok(existsSync(d.args[3]!), 'the vault the definition names does not exist');
  });

  test('the offered server, started as VS Code starts it, searches and reads this workspace\'s vault', async function () {
    this.timeout(120_000);
    const d = (await api()).lm.mcpServerDefinitions()[0]!;
    const env: Record<string, string> = { ...(process.env as Record<string, string>) };
    for (const [k, v] of Object.entries(d.env)) if (v !== null) env[k] = String(v);
    const transport = new StdioClientTransport({ command: d.command, args: d.args, env, stderr: 'pipe' });
    const client = new Client({ name: 'codex-vault-host-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(names, ['list_bookmarks', 'read_note', 'search']);
      const r = (await client.callTool({ name: 'search', arguments: { query: 'quasarlighthouse' } })) as CallToolResult;
      const hits = (r.structuredContent as { results: { path: string; startLine: number; endLine: number }[] }).results;
      const hit = hits.find((h) => h.path === 'mcp-target.md');
      assert.ok(hit && hit.startLine <= 7 && hit.endLine >= 7, JSON.stringify(hits));
      const read = (await client.callTool({ name: 'read_note', arguments: { path: 'mcp-target.md', startLine: 7, endLine: 7 } })) as CallToolResult;
      assert.equal((read.structuredContent as { text: string }).text, 'The quasarlighthouse keeper logs every beam.');
      const outside = (await client.callTool({ name: 'read_note', arguments: { path: join(workspaceRoot(), '..', 'x.md') } })) as CallToolResult;
      assert.equal(outside.isError, true);
    } finally {
      await client.close();
    }
  });
});
