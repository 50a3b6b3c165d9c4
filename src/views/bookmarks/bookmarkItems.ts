// How a bookmark looks in the tree: icon, label, description, tooltip, context value. Display only.
// Labels and tooltips come from notes and answers: they are shown as plain text (tooltip Markdown is
// untrusted, without HTML, and the note's text goes into a code block), so nothing in them runs.
import * as vscode from 'vscode';
import type { BookmarkNode } from '../../vault/bookmarks/types';

export const OPEN_COMMAND = 'codexVault.bookmarks.open';

const KIND_ICON: Record<BookmarkNode['kind'], string> = {
  folder: 'folder',
  file: 'file',
  selection: 'bookmark',
  search: 'search',
  answer: 'comment-discussion',
};

/** `viewItem` of each node, used by package.json menus: bookmark.<kind>[.lost]. */
export function contextValue(node: BookmarkNode): string {
  return `bookmark.${node.kind}${node.status === 'lost' ? '.lost' : ''}`;
}

export function lineSpan(node: Pick<BookmarkNode, 'startLine' | 'endLine'>): string {
  if (node.startLine === null) return '';
  return node.endLine === null || node.endLine === node.startLine ? `${node.startLine}` : `${node.startLine}–${node.endLine}`;
}

export function description(node: BookmarkNode): string {
  if (node.kind === 'folder') return node.children.length === 0 ? 'empty' : '';
  if (node.kind === 'answer') return node.payload?.citations?.length ? `answer · ${node.payload.citations.length} source${node.payload.citations.length === 1 ? '' : 's'}` : 'answer';
  const where = node.kind === 'file' ? node.path ?? '' : `${node.path ?? ''}:${lineSpan(node)}`;
  if (node.status === 'lost') return node.kind === 'file' ? `${where} · file gone` : `${where} · text gone`;
  if (node.status === 'moved') return `${where} · moved`;
  return where;
}

export function tooltip(node: BookmarkNode): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendText(node.label);
  const desc = description(node);
  if (desc) md.appendText(`\n${desc}`);
  if (node.status === 'lost' && node.kind !== 'folder') {
    md.appendText(node.kind === 'file' ? '\nThe file no longer exists.' : '\nIts text is no longer in the file; the last known place is kept.');
  }
  if (node.kind === 'search' && node.payload?.query) md.appendText(`\nSearch: ${node.payload.query}`);
  const body = node.kind === 'answer' ? node.payload?.answer ?? '' : node.anchorText ?? '';
  if (body) md.appendCodeblock(body.length > 600 ? body.slice(0, 599) + '…' : body, 'text');
  return md;
}

export function iconFor(node: BookmarkNode): vscode.ThemeIcon {
  if (node.status === 'lost' && node.kind !== 'folder') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  if (node.status === 'moved') return new vscode.ThemeIcon(KIND_ICON[node.kind], new vscode.ThemeColor('charts.blue'));
  return new vscode.ThemeIcon(KIND_ICON[node.kind]);
}

export function toTreeItem(node: BookmarkNode): vscode.TreeItem {
  // Folders start expanded, so what is dropped into one stays in sight; VS Code remembers later toggles by id.
  const item = new vscode.TreeItem(node.label, node.kind === 'folder' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = `bookmark-${node.id}`;
  item.description = description(node);
  item.tooltip = tooltip(node);
  item.contextValue = contextValue(node);
  item.iconPath = iconFor(node);
  item.accessibilityInformation = { label: `${node.kind === 'folder' ? 'Folder' : 'Bookmark'} ${node.label}${item.description ? `, ${item.description}` : ''}` };
  // From a click in the tree the editor opens beside the focus, which stays in the tree (as in the Explorer).
  if (node.kind !== 'folder') item.command = { command: OPEN_COMMAND, title: 'Open Bookmark', arguments: [node, { preserveFocus: true }] };
  return item;
}
