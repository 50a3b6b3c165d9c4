// How notes are named to a language model in the editor: relative to their workspace folder, as the
// vault stores them; in a multi-root workspace prefixed with the folder's name (as VS Code's own
// relative paths are), so that two folders' notes never share a name. And back: such a name, or an
// absolute path, to what the vault worker's note reader takes.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { vaultScopeOf, type VaultScope } from './displayScope';

function fileFolders(): readonly vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
}

export function displayPath(root: string, path: string): string {
  const folders = fileFolders();
  if (folders.length <= 1) return path;
  const folder = folders.find((f) => f.uri.fsPath === root);
  return folder ? `${folder.name}/${path}` : join(root, path);
}

/** A path a model gave back: a folder-prefixed name becomes absolute; anything else goes as it is. */
export function notePathForVault(given: string): string {
  const folders = fileFolders();
  if (folders.length > 1) {
    const slash = given.replace(/\\/g, '/').indexOf('/');
    const head = slash > 0 ? given.slice(0, slash) : '';
    const folder = folders.find((f) => f.name === head);
    if (folder) return join(folder.uri.fsPath, given.slice(slash + 1));
  }
  return given;
}

/** A prefix of paths as displayPath shows them, as the vault filters on it (null: it names no folder). */
export function vaultScopeForDisplayPrefix(prefix: string): VaultScope | null {
  return vaultScopeOf(prefix, fileFolders().map((f) => ({ name: f.name, root: f.uri.fsPath })));
}

/** How displayed paths start in a multi-root workspace: each folder's name and a slash. */
export function displayedFolderHeads(): string[] {
  return fileFolders().map((f) => `${f.name}/`);
}

/** The editor location of lines of a note (1-based inclusive lines), for anchors and references. */
export function noteLocation(root: string, path: string, startLine: number, endLine: number): vscode.Location {
  const uri = vscode.Uri.file(join(root, path));
  return new vscode.Location(uri, new vscode.Range(Math.max(0, startLine - 1), 0, Math.max(0, endLine - 1), Number.MAX_SAFE_INTEGER));
}
