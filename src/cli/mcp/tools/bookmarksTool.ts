// MCP tool `list_bookmarks`: what the user bookmarked in the vault (the Bookmarks view's tree), with
// each place as path:start-end. Read only: lines are as last resolved by the editor.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { citation } from '../../../agentTools/citeable';
import type { BookmarkNode } from '../../../vault/bookmarks/types';
import type { McpVault } from '../mcpVault';
import { guarded, toolResult } from '../toolResult';

export const LIST_BOOKMARKS_DESCRIPTION = [
  "List the user's bookmarks in the vault: notes, passages (with their lines), saved searches and saved answers, in their folders.",
  'Use it when the user mentions their bookmarks or saved items; read a bookmarked passage with read_note.',
].join(' ');

interface FlatBookmark {
  id: number;
  kind: BookmarkNode['kind'];
  label: string;
  /** Folder names from the top, joined with " / " ('' at the top level). */
  folder: string;
  path?: string;
  startLine?: number;
  endLine?: number;
  citation?: string;
  /** ok, moved (found again at other lines) or lost (the text is gone from the note). */
  status: BookmarkNode['status'];
  query?: string;
  question?: string;
}

function flatten(nodes: readonly BookmarkNode[], folder: string[], out: FlatBookmark[], lines: string[]): void {
  for (const n of nodes) {
    const indent = '  '.repeat(folder.length);
    if (n.kind === 'folder') {
      lines.push(`${indent}${n.label}/`);
      flatten(n.children, [...folder, n.label], out, lines);
      continue;
    }
    const b: FlatBookmark = { id: n.id, kind: n.kind, label: n.label, folder: folder.join(' / '), status: n.status };
    if (n.path) {
      b.path = n.path;
      if (n.kind !== 'file' && n.startLine !== null && n.endLine !== null) {
        b.startLine = n.startLine;
        b.endLine = n.endLine;
        b.citation = citation(n.path, n.startLine, n.endLine);
      }
    }
    if (n.payload?.query) b.query = n.payload.query;
    if (n.payload?.question) b.question = n.payload.question;
    out.push(b);
    const where = b.citation ?? b.path ?? '';
    const extra = b.query ? ` (search: "${b.query}")` : b.question ? ` (answer to: "${b.question}")` : '';
    lines.push(`${indent}- [${n.kind}] ${n.label}${where ? ` — ${where}` : ''}${extra}${n.status === 'ok' ? '' : ` [${n.status}]`}`);
  }
}

export function registerBookmarksTool(server: McpServer, ctx: McpVault): void {
  server.registerTool('list_bookmarks', {
    title: 'List bookmarks',
    description: LIST_BOOKMARKS_DESCRIPTION,
    inputSchema: {},
    outputSchema: {
      bookmarks: z.array(z.object({
        id: z.number().int(),
        kind: z.enum(['file', 'selection', 'search', 'answer', 'folder']),
        label: z.string(),
        folder: z.string(),
        path: z.string().optional(),
        startLine: z.number().int().optional(),
        endLine: z.number().int().optional(),
        citation: z.string().optional(),
        status: z.enum(['ok', 'moved', 'lost']),
        query: z.string().optional(),
        question: z.string().optional(),
      })),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async () => guarded(async () => {
    const out: FlatBookmark[] = [];
    const lines: string[] = [];
    flatten(ctx.bookmarks(), [], out, lines);
    const text = out.length === 0 ? 'The user has no bookmarks in this vault.' : [`${out.length} bookmark${out.length === 1 ? '' : 's'}:`, ...lines].join('\n');
    return toolResult(text, { bookmarks: out });
  }));
}
