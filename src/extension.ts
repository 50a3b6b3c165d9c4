// Codex Vault's entry point: a thin composition root. Activation builds the service container
// (cheap: commands, views, status bar; no worker, no database, no model) and returns a small API.
// The vault worker starts on first use; background indexing only when codexVault.indexOnStartup is set.
// Deactivation waits until the engine process has exited and the vault is closed.
import * as vscode from 'vscode';
import { Container } from './services/container';
import type { VaultState } from './services/vaultService';
import type { SearchMode, SearchResult } from './worker/protocol';

/** What activate() returns: used by the in-host tests and by other extensions. */
export interface CodexVaultApi {
  readonly activationMs: number;
  vaultState(): VaultState;
  search(query: string, mode?: SearchMode): Promise<SearchResult>;
  index(): Promise<void>;
  /**
   * The editor's AI surfaces, for other extensions and the in-host tests: whether each was registered
   * (each needs a newer VS Code than the extension: tools 1.95, @vault 1.90, MCP 1.101), the @vault
   * participant's request handler, and the MCP server definitions offered for this workspace.
   */
  readonly lm: {
    toolsRegistered: boolean;
    participantRegistered: boolean;
    mcpProviderRegistered: boolean;
    participantHandler: vscode.ChatRequestHandler;
    mcpServerDefinitions(): { label: string; command: string; args: string[]; env: Record<string, string | number | null> }[];
  };
}

let container: Container | undefined;

export function activate(context: vscode.ExtensionContext): CodexVaultApi {
  const t0 = performance.now();
  container = new Container(context);
  context.subscriptions.push(container);
  const c = container;
  const activationMs = Math.round((performance.now() - t0) * 100) / 100;
  c.log.info(`activated in ${activationMs} ms (${c.timings.map(([n, ms]) => `${n} ${ms}`).join(', ')})`);
  c.afterActivation();
  // Replaced by esbuild: true in development builds, false (and the hook left out) in the VSIX.
  if (CODEX_VAULT_TEST_HOOKS) maybeRunInHostTests(c);
  return {
    activationMs,
    vaultState: () => c.vault.state,
    search: (query, mode = 'lexical') => c.vault.search(query, mode, 50),
    index: async () => { await c.vault.index(); },
    lm: {
      toolsRegistered: c.lmTools.registered,
      participantRegistered: c.participant.registered,
      mcpProviderRegistered: c.mcpProvider.registered,
      participantHandler: c.participant.handler.handle,
      mcpServerDefinitions: () => c.mcpProvider.provideMcpServerDefinitions().map((d) => ({ label: d.label, command: d.command, args: [...d.args], env: { ...d.env } })),
    },
  };
}

export async function deactivate(): Promise<void> {
  const c = container;
  container = undefined;
  await c?.shutdown();
}

declare const CODEX_VAULT_TEST_HOOKS: boolean;

/**
 * Test hook (development builds only): when CODEX_VAULT_TEST_SUITE names a compiled mocha suite (an index module exporting
 * run(), the @vscode/test-electron shape), it runs inside this real extension host after activation.
 */
function maybeRunInHostTests(c: Container): void {
  const suite = process.env.CODEX_VAULT_TEST_SUITE;
  if (!suite) return;
  setTimeout(() => {
    c.log.info(`running in-host test suite ${suite}`);
    // A runtime require on purpose: the suite is not part of the bundle.
    const mod = require(suite) as { run(): Promise<void> };
    mod.run().then(
      () => c.log.info('in-host test suite passed'),
      (err: unknown) => c.log.error('in-host test suite failed', err),
    );
  }, 0);
}
