// Bookmarked answers open as read-only Markdown documents (scheme codex-vault-answer:), read from the
// vault on demand. They are shown as text in an editor: whatever the answer contains stays inert.
import * as vscode from 'vscode';
import type { VaultService } from '../../services/vaultService';
import type { Bookmark } from '../../vault/bookmarks/types';

export const ANSWER_SCHEME = 'codex-vault-answer';

export function answerUri(id: number): vscode.Uri {
  return vscode.Uri.from({ scheme: ANSWER_SCHEME, path: `/answer-${id}.md` });
}

export function answerMarkdown(b: Bookmark): string {
  const p = b.payload ?? {};
  const parts = [`# ${(p.question || b.label).replace(/\s+/g, ' ').trim()}`, '', p.answer ?? ''];
  if (p.citations && p.citations.length > 0) {
    parts.push('', '## Sources', '', ...p.citations.map((c) => `${c.n}. ${c.path}:${c.startLine}${c.endLine !== c.startLine ? `-${c.endLine}` : ''}`));
  }
  parts.push('', `_Bookmarked ${new Date(b.createdAt).toLocaleString()}_`, '');
  return parts.join('\n');
}

export class AnswerDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly vault: VaultService) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const m = /^\/answer-(\d+)\.md$/.exec(uri.path);
    if (!m) return 'Not a Codex Vault answer.';
    const b = await this.vault.call('bookmarks', 'get', Number(m[1]));
    if (!b || b.kind !== 'answer') return 'This bookmarked answer no longer exists.';
    return answerMarkdown(b);
  }
}
