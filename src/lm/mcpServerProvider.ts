// Offers the bundled `codex-vault mcp` server for the open workspace's vault to VS Code's MCP support
// (VS Code 1.101+: vscode.lm.registerMcpServerDefinitionProvider, contributed in package.json as
// mcpServerDefinitionProviders). Any MCP client in the editor -- Copilot's agent mode, or another
// extension's agent -- then gets the vault's search, read_note and list_bookmarks tools, on the very
// file the extension keeps in its workspace storage. Registered only where the API exists.
//
// How the server process starts: with the Node.js that runs this extension host, i.e. `process.execPath`
// -- in desktop VS Code that is the Electron binary, which behaves as plain Node when
// ELECTRON_RUN_AS_NODE=1 is set (as the engine process is forked, and as VS Code runs its own Node
// helpers). That needs no Node installed by the user, and it matches the runtime the bundle was
// built for (dist/cli.js, CommonJS for Node 20+). In code-server and other remote hosts execPath is
// already Node, which ignores the variable.
import { join } from 'node:path';
import { CLI_VERSION } from '../cli/version';
import { Disposable } from '../services/disposable';
import type { Log } from '../services/log';
import type { VaultService } from '../services/vaultService';
import { mcpApi, type McpApi, type McpServerDefinitionProvider, type McpStdioServerDefinition, type McpStdioServerDefinitionCtor } from './mcpApi';

export const MCP_PROVIDER_ID = 'codexVault.mcpServers';
export const MCP_SERVER_LABEL = 'Codex Vault';

export type McpVaultPort = Pick<VaultService, 'dbFile' | 'ready' | 'index' | 'state'>;

export class VaultMcpServerProvider extends Disposable implements McpServerDefinitionProvider {
  readonly registered: boolean;
  private readonly ctor: McpStdioServerDefinitionCtor | undefined;

  constructor(private readonly vault: McpVaultPort, private readonly extensionPath: string, private readonly log: Log) {
    super();
    const api = mcpApi();
    this.ctor = api?.McpStdioServerDefinition;
    if (!api) log.info('MCP server definition not offered: this VS Code has no final vscode.lm.registerMcpServerDefinitionProvider (1.101+)');
    this.registered = api !== undefined && this.register(api);
  }

  /** An optional surface never stops activation: a host whose API refuses the provider gets a log line. */
  private register(api: McpApi): boolean {
    try {
      this._register(api.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, this));
      return true;
    } catch (err) {
      this.log.warn(`MCP server definition not offered: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  /** One server per window: the workspace's vault (none without a folder, which has no vault). */
  provideMcpServerDefinitions(): McpStdioServerDefinition[] {
    const db = this.vault.dbFile;
    if (!db || !this.ctor) return [];
    const cli = join(this.extensionPath, 'dist', 'cli.js');
    return [new this.ctor(MCP_SERVER_LABEL, process.execPath, [cli, 'mcp', '--db', db], { ELECTRON_RUN_AS_NODE: '1' }, CLI_VERSION)];
  }

  /** Before VS Code starts the server: the vault must exist, and a first index be done, or every search would come back empty. */
  async resolveMcpServerDefinition(server: McpStdioServerDefinition): Promise<McpStdioServerDefinition> {
    try {
      await this.vault.ready();
      if (this.vault.state.phase === 'indexing') await this.vault.index();
    } catch (err) {
      this.log.warn(`MCP server: the vault could not be prepared: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    return server;
  }
}
