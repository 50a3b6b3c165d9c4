// Opens a note with lines revealed and selected (search results, citations, bookmarks).
import * as vscode from 'vscode';

/** Lines are 1-based and inclusive, as stored in the vault. */
export async function openAtLines(uri: vscode.Uri, startLine: number, endLine: number, opts: { preview?: boolean } = {}): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const last = Math.max(0, doc.lineCount - 1);
  const start = Math.min(Math.max(0, startLine - 1), last);
  const end = Math.min(Math.max(start, endLine - 1), last);
  const selection = new vscode.Selection(start, 0, end, doc.lineAt(end).range.end.character);
  const editor = await vscode.window.showTextDocument(doc, { selection, preview: opts.preview ?? true });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}
