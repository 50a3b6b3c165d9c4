// Opens a cited note with its lines revealed and selected, after checking the location.
import * as vscode from 'vscode';
import type { Location } from '../protocol/chatProtocol';
import { openAtLines } from '../common/openLocation';
import { resolveLocation } from './locationCheck';

export async function openLocation(loc: Location): Promise<vscode.TextEditor> {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  return openAtLines(vscode.Uri.file(resolveLocation(loc, folders)), loc.startLine, loc.endLine);
}
