// MCP tool `read_note`: lines of one note, numbered as in the file. Only the vault's own notes
// (see src/vault/notes/readNote.ts for what that means), bounded per call.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { citation, noteLinesText } from '../../../agentTools/citeable';
import { MAX_READ_LINES, readNoteLines } from '../../../vault/notes/readNote';
import type { McpVault } from '../mcpVault';
import { guarded, toolResult } from '../toolResult';

export const READ_NOTE_DESCRIPTION = [
  "Read lines of one note from the user's vault, numbered as in the file (the numbers search results and citations use).",
  'Give the path exactly as search returned it, and startLine/endLine to read a passage with some lines around it;',
  `without them it reads from the top. At most ${MAX_READ_LINES} lines per call: read on with startLine.`,
  'Only notes in the vault can be read.',
].join(' ');

export function registerReadNoteTool(server: McpServer, ctx: McpVault): void {
  server.registerTool('read_note', {
    title: 'Read a note',
    description: READ_NOTE_DESCRIPTION,
    inputSchema: {
      path: z.string().min(1).max(4096).describe('The note\'s path as search returns it (relative to its vault folder), or its absolute path.'),
      startLine: z.number().int().min(1).optional().describe('First line to read (1-based; default 1).'),
      endLine: z.number().int().min(1).optional().describe('Last line to read (inclusive).'),
    },
    outputSchema: {
      path: z.string(),
      startLine: z.number().int(),
      endLine: z.number().int(),
      citation: z.string(),
      totalLines: z.number().int(),
      truncated: z.boolean().describe('Fewer lines than asked for came back because of the size limit.'),
      text: z.string().describe('The lines, joined with newlines, without numbers.'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ path, startLine, endLine }) => guarded(async () => {
    const n = await readNoteLines(ctx.vault.db, path, { startLine, endLine });
    return toolResult(noteLinesText(n), {
      path: n.path, startLine: n.startLine, endLine: n.endLine, citation: citation(n.path, n.startLine, n.endLine),
      totalLines: n.totalLines, truncated: n.truncated, text: n.text,
    });
  }));
}
