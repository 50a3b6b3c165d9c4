// The vault as an MCP server: read-only tools over one vault file, for any MCP client (an editor's
// agent, a terminal agent, a script). Built on the official SDK's McpServer; the tools' input and
// output schemas are validated by it, and a tool that fails answers with an error result.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { McpVault } from './mcpVault';
import { registerAskTool } from './tools/askTool';
import { registerBookmarksTool } from './tools/bookmarksTool';
import { registerReadNoteTool } from './tools/readNoteTool';
import { registerSearchTool } from './tools/searchTool';

export const SERVER_INSTRUCTIONS = [
  "This server gives read-only access to the user's private Markdown vault (notes indexed on this machine).",
  'Use search to find passages (cite them as path:start-end), read_note to read them in full, list_bookmarks for what the user saved.',
].join(' ');

export function createMcpServer(ctx: McpVault, version: string): McpServer {
  const server = new McpServer(
    { name: 'codex-vault', title: 'Codex Vault', version },
    { instructions: ctx.chatModelFile ? `${SERVER_INSTRUCTIONS} ask answers a question from the vault with a local model.` : SERVER_INSTRUCTIONS },
  );
  registerSearchTool(server, ctx);
  registerReadNoteTool(server, ctx);
  if (ctx.chatModelFile) registerAskTool(server, ctx);
  registerBookmarksTool(server, ctx);
  return server;
}
