// MCP tool `search`: the vault's ranked passages for a query, each citeable as path:start-end. The
// same Retriever as `codex-vault search --mode ...`: full text (FTS5 bm25), vectors, or both fused.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { citation, searchResultsText } from '../../../agentTools/citeable';
import { SEARCH_SCOPE_INPUTS } from '../../../agentTools/searchScope';
import { RETRIEVAL_MODES } from '../../../vault/retrieval/types';
import type { McpVault } from '../mcpVault';
import { guarded, toolError, toolResult } from '../toolResult';

export const SEARCH_DESCRIPTION = [
  "Search the user's private Markdown vault (their own notes, documentation and knowledge base on this machine).",
  'Use it first whenever a question may be answered by what the user wrote down: it returns the best passages, best first,',
  'each with its note path, line range (cite it as path:start-end), heading path, a snippet and a score.',
  'Then call read_note with a result\'s path and lines to read the whole passage before quoting or answering.',
  'The query may be keywords or a plain question; "quoted words" match a phrase, word* a prefix, a OR b either word.',
].join(' ');

const hitShape = {
  path: z.string().describe('The note, relative to its vault folder: give it to read_note as is.'),
  startLine: z.number().int(),
  endLine: z.number().int(),
  citation: z.string().describe('path:startLine-endLine'),
  heading: z.string().describe('Heading path of the passage, outermost first, joined with " > ".'),
  title: z.string(),
  snippet: z.string().describe('A short extract; matched words are marked « ».'),
  score: z.number().describe('Higher is better; only comparable within one result list.'),
};

export function registerSearchTool(server: McpServer, ctx: McpVault): void {
  server.registerTool('search', {
    title: 'Search the vault',
    description: SEARCH_DESCRIPTION,
    inputSchema: {
      query: z.string().min(1).max(2000).describe('Keywords or a question, in the language of the notes.'),
      mode: z.enum(RETRIEVAL_MODES as [string, ...string[]]).optional()
        .describe('lexical: by words; semantic: by meaning; hybrid: both fused. Default: hybrid when the server has an embedding model with vectors in the vault, else lexical.'),
      limit: z.number().int().min(1).max(50).optional().describe('Most results (default 10).'),
      pathPrefix: z.string().max(SEARCH_SCOPE_INPUTS.pathPrefix.maxLength).optional().describe(SEARCH_SCOPE_INPUTS.pathPrefix.description),
      tag: z.string().max(SEARCH_SCOPE_INPUTS.tag.maxLength).optional().describe(SEARCH_SCOPE_INPUTS.tag.description),
    },
    outputSchema: {
      query: z.string(),
      mode: z.enum(RETRIEVAL_MODES as [string, ...string[]]).describe('The mode used (hybrid falls back to lexical when there are no vectors).'),
      note: z.string().optional().describe('Why the mode differs from the one asked for, or that vectors cover only part of the vault.'),
      results: z.array(z.object(hitShape)),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ query, mode, limit, pathPrefix, tag }, extra) => guarded(async () => {
    if (!query.trim()) return toolError('The query is empty: give keywords or a question.');
    const wantsVectors = mode === 'semantic' || mode === 'hybrid';
    if (wantsVectors && !ctx.embeddingModelFile) {
      return toolError(`${mode} search needs an embedding model, and this server has none: use mode "lexical", or start the server with --embedding-model <file.gguf>.`);
    }
    // Words only need no model: the engine starts for the first search that can use vectors.
    const embedder = mode === 'lexical' ? undefined : await ctx.embedder(extra.signal);
    const r = await ctx.retriever.retrieve(query, {
      mode: mode as (typeof RETRIEVAL_MODES)[number] | undefined, embedder, limit: limit ?? 10, pathPrefix, tag, signal: extra.signal,
    });
    const notes = [r.fallbackReason, r.partial && r.coverage ? `vectors cover ${r.coverage.embedded} of ${r.coverage.total} passages; the rest is found by words only` : null].filter((s): s is string => Boolean(s));
    const note = notes.length > 0 ? notes.join('; ') : undefined;
    const results = r.items.map((it) => ({
      path: it.path, startLine: it.startLine, endLine: it.endLine, citation: citation(it.path, it.startLine, it.endLine),
      heading: it.heading, title: it.title, snippet: it.snippet, score: it.score,
    }));
    return toolResult(searchResultsText(query, results, { mode: r.mode, note }), { query, mode: r.mode, ...(note ? { note } : {}), results });
  }));
}
