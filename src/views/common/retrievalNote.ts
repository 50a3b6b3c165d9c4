// What an answer says about how its sources were found, for the chat webview and the inline answer
// alike: nothing when every note was searched by words and meaning; otherwise whether meaning was
// used and how much of the vault has vectors yet, or why it was words only. Plain TypeScript (the
// webview bundle imports it too).
export interface RetrievalInfo {
  mode: 'lexical' | 'semantic' | 'hybrid';
  /** Chunks with a vector of the embedding model, and all chunks (null without an embedding model). */
  embedded: number | null;
  total: number | null;
  /** Why meaning was not used, when an embedding model was chosen. */
  fallbackReason: string | null;
}

export function retrievalNote(r: RetrievalInfo | undefined): string | null {
  if (!r) return null;
  if (r.mode !== 'lexical') {
    if (r.embedded === null || r.total === null || r.total === 0 || r.embedded >= r.total) return null;
    const pct = Math.max(1, Math.floor((r.embedded / r.total) * 100));
    return `Searched by words and meaning, but only ${pct}% of the notes have vectors yet (${r.embedded} of ${r.total} passages): the rest were searched by words only.`;
  }
  return r.fallbackReason ? `Searched by words only: ${r.fallbackReason}` : null;
}
