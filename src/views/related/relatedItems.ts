// How a related note shows in the Related Notes tree: its title, why it is related (description
// and tooltip) and a click that opens its closest passage. Presentation only.
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { RelatedNote, RelatedReason } from '../../vault/related/types';

export const OPEN_RELATED_COMMAND = 'codexVault.related.open';

/** One short phrase per reason, for the row's description and tooltip. */
export function reasonText(r: RelatedReason): string {
  switch (r.kind) {
    case 'passage':
      return r.by === 'vectors' ? `close passage (${Math.round((r.similarity ?? 0) * 100)}%)` : r.words?.length ? `shares ${r.words.slice(0, 4).join(', ')}` : 'shares words';
    case 'tags':
      return r.tags.map((t) => `#${t}`).join(' ');
    case 'link':
      return r.direction === 'out' ? 'linked from here' : r.direction === 'in' ? 'links here' : 'linked both ways';
  }
}

function iconOf(n: RelatedNote): vscode.ThemeIcon {
  const kinds = new Set(n.reasons.map((r) => r.kind));
  if (kinds.has('link')) return new vscode.ThemeIcon('link');
  if (kinds.has('passage')) return new vscode.ThemeIcon(n.reasons.some((r) => r.kind === 'passage' && r.by === 'vectors') ? 'sparkle' : 'note');
  return new vscode.ThemeIcon('tag');
}

export function relatedUri(n: RelatedNote): vscode.Uri {
  return vscode.Uri.file(join(n.root, ...n.path.split('/')));
}

export function toTreeItem(n: RelatedNote): vscode.TreeItem {
  const item = new vscode.TreeItem(n.title || n.path, vscode.TreeItemCollapsibleState.None);
  item.id = `${n.root}\0${n.path}`;
  item.resourceUri = relatedUri(n);
  item.description = n.reasons.map(reasonText).join(' · ');
  item.iconPath = iconOf(n);
  const passage = n.reasons.find((r) => r.kind === 'passage');
  const tip = new vscode.MarkdownString(undefined, false);
  tip.isTrusted = false;
  tip.supportHtml = false;
  tip.appendText(`${n.path}:${n.startLine}-${n.endLine}\n`);
  if (passage?.kind === 'passage' && passage.heading) tip.appendText(`${passage.heading}\n`);
  for (const r of n.reasons) tip.appendText(`\n• ${reasonText(r)}`);
  tip.appendText(`\n\nscore ${n.score.toFixed(2)}`);
  item.tooltip = tip;
  item.command = { command: OPEN_RELATED_COMMAND, title: 'Open Related Note', arguments: [n] };
  return item;
}
