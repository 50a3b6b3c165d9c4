// Context items from an editor: the whole current file, or the selection in it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContextItem } from '../protocol/chatProtocol';

/** Selections longer than this are cut: the prompt's token budget could not hold more anyway. */
const MAX_SELECTION_CHARS = 100_000;

function place(doc: vscode.TextDocument): { root: string; rel: string } {
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (folder) return { root: folder.uri.fsPath, rel: path.relative(folder.uri.fsPath, doc.uri.fsPath).split(path.sep).join('/') };
  return { root: path.dirname(doc.uri.fsPath), rel: path.basename(doc.uri.fsPath) };
}

export function fileContext(doc: vscode.TextDocument): ContextItem {
  const { root, rel } = place(doc);
  return { kind: 'file', root, path: rel, label: path.posix.basename(rel) };
}

export function selectionContext(doc: vscode.TextDocument, sel: vscode.Selection | vscode.Range): ContextItem | null {
  if (sel.isEmpty) return null;
  const { root, rel } = place(doc);
  // A selection ending at column 0 of a line does not include that line.
  const endLine = sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1;
  const startLine = sel.start.line + 1;
  return {
    kind: 'selection', root, path: rel, startLine, endLine,
    text: doc.getText(sel).slice(0, MAX_SELECTION_CHARS),
    label: `${path.posix.basename(rel)}:${startLine === endLine ? startLine : `${startLine}-${endLine}`}`,
  };
}

/** The context for an "add context" request, or an error sentence when there is nothing to add. */
export function contextFromActiveEditor(kind: 'file' | 'selection'): ContextItem | string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return 'Open a note in the editor first.';
  if (editor.document.uri.scheme !== 'file') return 'Only files on disk can be added as context.';
  if (kind === 'file' && !vscode.workspace.getWorkspaceFolder(editor.document.uri)) return 'Only files in this workspace\'s folders can be added as context.';
  if (kind === 'file') return fileContext(editor.document);
  return selectionContext(editor.document, editor.selection) ?? 'Select some text in the editor first.';
}
