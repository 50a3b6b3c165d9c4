// `codex-vault mcp --db <file>`: the vault as an MCP server on stdin/stdout, for any MCP client
// (see src/cli/mcp/). stdout carries protocol messages only: everything else -- start-up line,
// warnings, engine logs, and any console output of a library -- goes to stderr. The server runs
// until its client closes stdin (or on SIGINT/SIGTERM), then closes the engine and the vault.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { intOption, parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';
import { McpVault } from '../mcp/mcpVault';
import { createMcpServer } from '../mcp/server';
import { CLI_VERSION } from '../version';

const options = {
  db: { type: 'string' },
  model: { type: 'string' },
  'embedding-model': { type: 'string' },
  'context-size': { type: 'string' },
  'max-tokens': { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string' },
} as const;

/** Library output meant for a terminal must not corrupt the protocol stream. */
function consoleToStderr(io: CliIo): void {
  const write = (...args: unknown[]): void => {
    io.err.write(`${args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ')}\n`);
  };
  console.log = write;
  console.info = write;
  console.debug = write;
}

export const mcpCommand: CliCommand = {
  name: ['mcp'],
  summary: 'Serve a vault to MCP clients (agents, editors) over stdio: search, read_note, ask, list_bookmarks.',
  help: `Usage: codex-vault mcp --db <file> [--model <chat.gguf>] [--embedding-model <emb.gguf>]

Runs a Model Context Protocol server on stdin/stdout over the vault in <file>, read only.
An MCP client starts it and talks to it; nothing else may write to its stdin. Tools:
  search          ranked passages for a query, each with path:start-end, heading, snippet, score
  read_note       lines of one note of the vault, numbered as in the file
  ask             a grounded answer with citations, or notFound (only with --model)
  list_bookmarks  the user's bookmarks
Logs go to stderr. The server exits when the client closes stdin.

Options:
  --db <file>                The vault database file (required; index it with codex-vault index).
  --model <file>             Chat model (GGUF) for the ask tool. Without it there is no ask tool.
  --embedding-model <file>   Embedding model the vault was embedded with: semantic and hybrid search.
  --context-size <n>         Context size for the chat model (default: the model's, up to 4096).
  --max-tokens <n>           Most answer tokens for ask (default 512).
  --threads <n>              Engine threads (default: one per free core; 1 for tiny models).
  --gpu auto|cpu             auto uses CUDA/Vulkan/Metal when present (default auto).

Client configuration (Claude Desktop, VS Code mcp.json, ...):
  { "command": "codex-vault", "args": ["mcp", "--db", "/path/to/notes.vault"] }`,

  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parse(argv, options);
    const db = required(values.db, 'db');
    const contextSize = values['context-size'] === undefined ? undefined : intOption(values['context-size'], 'context-size', 0, 64, 1 << 20);
    const maxAnswerTokens = intOption(values['max-tokens'], 'max-tokens', 512, 16, 32768);
    consoleToStderr(io);
    const ctx = new McpVault({
      db, chatModel: values.model, embeddingModel: values['embedding-model'], contextSize, maxAnswerTokens, threads: values.threads, gpu: values.gpu,
    }, io);
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
  },
};
