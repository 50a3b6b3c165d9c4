// Tool results in the two forms MCP gives a client: text a model reads (and can cite) and the same
// data as structured content that matches the tool's output schema.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export function toolResult<T extends Record<string, unknown>>(text: string, structured: T): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** A failure the caller can act on (bad path, missing file, nothing configured): an error result, never a crash. */
export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Runs a tool body; anything it throws comes back as a tool error with its message. */
export async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error && err.name === 'AbortError') return toolError('Cancelled.');
    return toolError(err instanceof Error ? err.message : String(err));
  }
}
