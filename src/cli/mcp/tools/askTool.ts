// MCP tool `ask` (only with --model): the vault's grounded answer -- the same ask() as `codex-vault
// ask`: retrieval, the evidence check ("not in the vault" without calling the model), numbered sources
// fitted to the model's context, invented citations removed, every [n] mapped to its lines.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { citation } from '../../../agentTools/citeable';
import { ask, notFoundText } from '../../../app/ask/ask';
import type { McpVault } from '../mcpVault';
import { guarded, toolError, toolResult } from '../toolResult';

export const ASK_DESCRIPTION = [
  "Answer a question from the user's vault with the local model configured for this server.",
  'The answer cites the notes it used as [n], each mapped to path:start-end; when the vault holds nothing relevant,',
  'notFound is true and the closest notes are listed instead of an answer from outside the vault.',
  'Slower than search; when you can read and reason yourself, prefer search and read_note.',
].join(' ');

const place = { path: z.string(), startLine: z.number().int(), endLine: z.number().int(), citation: z.string() };

export function registerAskTool(server: McpServer, ctx: McpVault): void {
  server.registerTool('ask', {
    title: 'Ask the vault',
    description: ASK_DESCRIPTION,
    inputSchema: {
      question: z.string().min(1).max(4000).describe('The question, in the language of the notes.'),
      pathPrefix: z.string().max(1000).optional().describe('Answer only from notes whose path starts with this.'),
    },
    outputSchema: {
      answer: z.string().describe('The answer with [n] citations; empty when notFound.'),
      notFound: z.boolean().describe('The vault does not contain the answer; the model was not asked.'),
      citations: z.array(z.object({ n: z.number().int(), ...place })),
      sources: z.array(z.object({ n: z.number().int(), ...place, heading: z.string() })),
      closest: z.array(z.object({ ...place, heading: z.string() })).describe('With notFound: the nearest notes.'),
      uncited: z.boolean().describe('The answer cites none of its sources: check it against them.'),
      cancelled: z.boolean(),
    },
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
  }, async ({ question, pathPrefix }, extra) => guarded(async () => {
    if (!question.trim()) return toolError('The question is empty.');
    const embedder = await ctx.embedder(extra.signal);
    const r = await ask({ retriever: ctx.retriever, model: () => ctx.chatModel(extra.signal), embedder }, question, {
      maxAnswerTokens: ctx.opts.maxAnswerTokens, pathPrefix, signal: extra.signal,
    });
    const at = (p: { path: string; startLine: number; endLine: number }) => ({ path: p.path, startLine: p.startLine, endLine: p.endLine, citation: citation(p.path, p.startLine, p.endLine) });
    const closest = r.notFound ? r.closest.map((c) => ({ ...at(c), heading: c.heading })) : [];
    const structured = {
      answer: r.answer,
      notFound: r.notFound,
      citations: r.citations.map((c) => ({ n: c.n, ...at(c) })),
      sources: r.sources.map((s) => ({ n: s.n, ...at(s), heading: s.heading })),
      closest,
      uncited: r.uncited,
      cancelled: r.cancelled,
    };
    const lines: string[] = [];
    if (r.notFound) {
      lines.push(notFoundText(closest.length));
      closest.forEach((c, i) => lines.push(`[${i + 1}] ${c.citation}${c.heading ? ` — ${c.heading}` : ''}`));
    } else {
      lines.push(r.answer.trim() || '(the model gave no answer)');
      if (r.cancelled) lines.push('(stopped)');
      if (r.uncited) lines.push('', 'Note: this answer cites none of the sources; check it against them.');
      lines.push('', 'Sources:', ...structured.sources.map((s) => `[${s.n}] ${s.citation}${s.heading ? ` — ${s.heading}` : ''}`));
    }
    return toolResult(lines.join('\n'), structured);
  }));
}
