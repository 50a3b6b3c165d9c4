// The optional scope of the agents' search tools (MCP `search` and the editor's codexVault_search):
// one meaning, one description and one length bound for both, so that an agent scopes a search the
// same way through either. package.json repeats the descriptions in codexVault_search's inputSchema
// (a static manifest); test/unit/agentTools/searchScope.test.ts keeps the two equal.

export const SEARCH_SCOPE_INPUTS = {
  pathPrefix: { maxLength: 1000, description: 'Only notes whose path starts with this, e.g. "projects/".' },
  tag: { maxLength: 200, description: 'Only notes with this tag (front matter tags or #tags).' },
} as const;

export type SearchScopeInput = keyof typeof SEARCH_SCOPE_INPUTS;

/** A scope input as a model gave it: absent (undefined or null) or a string within its bound; else a clear error. */
export function scopeInput(name: SearchScopeInput, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const max = SEARCH_SCOPE_INPUTS[name].maxLength;
  if (typeof value !== 'string') {
    throw new Error(`${name} must be a string of at most ${max} characters, got ${String(JSON.stringify(value)).slice(0, 80)}.`);
  }
  if (value.length > max) throw new Error(`${name} is ${value.length} characters long; at most ${max} are allowed.`);
  return value.trim() || undefined;
}
