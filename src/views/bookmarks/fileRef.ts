// Between VS Code URIs and the vault's (workspace folder, relative path) pairs.
import { join, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import type { FileRef } from '../../vault/bookmarks/bookmarkStore';

/** The workspace folder and forward-slash relative path of a file, or undefined when it is outside every folder. */
export function toFileRef(uri: vscode.Uri): FileRef | undefined {
  if (uri.scheme !== 'file') return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  const rel = relative(folder.uri.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..')) return undefined;
  return { rootPath: folder.uri.fsPath, path: rel.split(sep).join('/') };
}

export function toUri(ref: FileRef): vscode.Uri {
  return vscode.Uri.file(join(ref.rootPath, ...ref.path.split('/')));
}
