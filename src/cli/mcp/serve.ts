// Runs `codex-vault mcp`: the vault as an MCP server on stdin/stdout (see server.ts for the tools).
// stdout carries protocol messages only: everything else -- start-up line, warnings, engine logs,
// and any console output of a library -- goes to stderr. The server runs until its client closes
// stdin (or on SIGINT/SIGTERM), then closes the engine and the vault.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CliIo } from '../command';
import { CLI_VERSION } from '../version';
import { McpVault, type McpVaultOptions } from './mcpVault';
import { createMcpServer } from './server';

/** Library output meant for a terminal must not corrupt the protocol stream. */
function consoleToStderr(io: CliIo): void {
  const write = (...args: unknown[]): void => {
    io.err.write(`${args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ')}\n`);
  };
  console.log = write;
  console.info = write;
  console.debug = write;
}

export async function serveMcp(opts: McpVaultOptions, io: CliIo): Promise<number> {
  consoleToStderr(io);
  const ctx = new McpVault(opts, io);
  const onRejection = (reason: unknown): void => {
    io.err.write(`codex-vault mcp: ${reason instanceof Error ? reason.message : String(reason)}\n`);
  };
  process.on('unhandledRejection', onRejection);
  const server = createMcpServer(ctx, CLI_VERSION);
  try {
    // A malformed line from the client is reported here and skipped; the server keeps serving.
    server.server.onerror = (err) => io.err.write(`codex-vault mcp: ${err.message}\n`);
    const closed = new Promise<string>((resolve) => {
      process.stdin.once('end', () => resolve('the client closed stdin'));
      process.stdin.once('close', () => resolve('the client closed stdin'));
      server.server.onclose = () => resolve('the transport closed');
      io.signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
    });
    await server.connect(new StdioServerTransport(process.stdin, process.stdout));
    const tools = ['search', 'read_note', ...(ctx.chatModelFile ? ['ask'] : []), 'list_bookmarks'];
    io.err.write(`codex-vault mcp: serving ${ctx.vault.file} on stdio (tools: ${tools.join(', ')})\n`);
    io.err.write(`codex-vault mcp: ${await closed}; exiting\n`);
    return 0;
  } finally {
    await server.close().catch(() => undefined);
    await ctx.close();
    process.off('unhandledRejection', onRejection);
  }
}
