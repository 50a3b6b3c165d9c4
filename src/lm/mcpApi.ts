// The MCP server definition API of VS Code 1.101+, declared here for feature detection. The extension
// builds against @types/vscode 1.100 because its engines.vscode is ^1.100.0 and `vsce package`
// refuses @types/vscode newer than engines.vscode (scripts/package.mjs runs it); raising engines to
// 1.101 would drop every older VS Code for one optional feature. So this file types only what the
// provider uses, copied from @types/vscode 1.103's declarations, and mcpApi() returns it only when the
// running VS Code has it -- the rest of the extension works on 1.100 as before.
import * as vscode from 'vscode';

/** vscode.McpStdioServerDefinition (1.101). */
export interface McpStdioServerDefinition {
  readonly label: string;
  cwd?: vscode.Uri;
  command: string;
  args: string[];
  env: Record<string, string | number | null>;
  version?: string;
}

export type McpStdioServerDefinitionCtor = new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => McpStdioServerDefinition;

/** vscode.McpServerDefinitionProvider (1.101), for stdio servers. */
export interface McpServerDefinitionProvider {
  readonly onDidChangeMcpServerDefinitions?: vscode.Event<void>;
  provideMcpServerDefinitions(token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition[]>;
  resolveMcpServerDefinition?(server: McpStdioServerDefinition, token: vscode.CancellationToken): vscode.ProviderResult<McpStdioServerDefinition>;
}

export interface McpApi {
  McpStdioServerDefinition: McpStdioServerDefinitionCtor;
  registerMcpServerDefinitionProvider(id: string, provider: McpServerDefinitionProvider): vscode.Disposable;
}

/** The first VS Code whose MCP definition API is final (1.100 has a preview of it that wants another contribution point). */
export const MCP_API_VERSION: readonly [number, number] = [1, 101];

/** True when `version` (e.g. "1.103.2", "1.101.0-insider") is at least major.minor. */
export function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return a > major || (a === major && b >= minor);
}

/** The running VS Code's MCP definition API, or undefined before 1.101. */
export function mcpApi(): McpApi | undefined {
  if (!versionAtLeast(vscode.version, MCP_API_VERSION)) return undefined;
  const api = vscode as unknown as { McpStdioServerDefinition?: unknown; lm?: { registerMcpServerDefinitionProvider?: unknown } };
  const ctor = api.McpStdioServerDefinition;
  const register = api.lm?.registerMcpServerDefinitionProvider;
  if (typeof ctor !== 'function' || typeof register !== 'function') return undefined;
  return {
    McpStdioServerDefinition: ctor as McpStdioServerDefinitionCtor,
    registerMcpServerDefinitionProvider: (id, provider) => (register as McpApi['registerMcpServerDefinitionProvider']).call(api.lm, id, provider),
  };
}
