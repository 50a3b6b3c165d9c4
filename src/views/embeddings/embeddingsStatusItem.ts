// The status bar item of the embedding backfill: coverage % of the chosen embedding model, whether
// it is running, paused or stopped; a click opens the embedding actions. It only shows what the
// vault worker's 'embeddings' service reports.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { EmbeddingsStatus } from '../../app/embeddings/embeddingsTypes';
import { formatCount } from '../common/format';

export const EMBEDDINGS_MENU_COMMAND = 'codexVault.embeddings.showMenu';

/** Coverage in whole percent, rounded down: 100% only when every chunk has a vector. */
export function coveragePercent(s: EmbeddingsStatus): number | undefined {
  return s.coverage ? Math.floor(s.coverage.ratio * 100) : undefined;
}

/** The item's text for a status. */
function embeddingsText(s: EmbeddingsStatus): string {
  const pct = coveragePercent(s);
  const figure = pct === undefined ? '' : ` ${pct}%`;
  switch (s.state) {
    case 'running': return `$(sync~spin) Embedding${figure}`;
    case 'paused': return `$(debug-pause) Embedding${figure}`;
    case 'error': return `$(warning) Embeddings${figure}`;
    case 'done': return `$(sparkle) Embeddings${figure}`;
    case 'idle': return s.model ? `$(sparkle) Embeddings${figure}` : '$(sparkle) Full text only';
  }
}

export class EmbeddingsStatusItem extends Disposable {
  // Priority just below the vault's item (10): it sits right beside it.
  private readonly item = this._register(vscode.window.createStatusBarItem('codexVault.embeddings', vscode.StatusBarAlignment.Left, 9));

  constructor() {
    super();
    this.item.name = 'Codex Vault Embeddings';
    this.item.command = EMBEDDINGS_MENU_COMMAND;
  }

  render(s: EmbeddingsStatus | undefined): void {
    if (!s) {
      this.item.hide();
      return;
    }
    this.item.text = embeddingsText(s);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.supportHtml = false;
    tip.appendMarkdown('**Codex Vault embeddings**\n\n');
    tip.appendText(`${s.message}\n`);
    if (s.model) tip.appendText(`\nModel: ${basename(s.model)}\n`);
    if (s.coverage) tip.appendText(`Coverage: ${formatCount(s.coverage.embedded)} of ${formatCount(s.coverage.total)} chunks\n`);
    if (s.state === 'running' || s.state === 'paused') tip.appendText(`This run: ${formatCount(s.done)} of ${formatCount(s.total)}${s.failed ? `, ${s.failed} failed` : ''}\n`);
    tip.appendMarkdown('\nClick for actions.');
    this.item.tooltip = tip;
    this.item.backgroundColor = s.state === 'error' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.accessibilityInformation = { label: `Codex Vault: ${this.item.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
  }
}
