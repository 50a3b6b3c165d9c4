// `codex-vault mcp --db <file>`: the vault as an MCP server on stdin/stdout, for any MCP client.
// This file parses the options; src/cli/mcp/serve.ts runs the server.
import { intOption, parse, required } from '../args';
import type { CliCommand, CliIo } from '../command';

const options = {
  db: { type: 'string' },
  model: { type: 'string' },
  'embedding-model': { type: 'string' },
  'context-size': { type: 'string' },
  'max-tokens': { type: 'string' },
  threads: { type: 'string' },
  gpu: { type: 'string' },
} as const;

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
    // The server lives in its own bundle (dist/mcp-server.js, see esbuild.mjs), loaded only here: the
    // SDK and its schema library would otherwise be parsed by every other command at start-up.
    const { serveMcp } = await import('../mcp/serve');
    return serveMcp({
      db, chatModel: values.model, embeddingModel: values['embedding-model'], contextSize, maxAnswerTokens, threads: values.threads, gpu: values.gpu,
    }, io);
  },
};
