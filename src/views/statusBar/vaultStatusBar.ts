// The vault's status bar item: files, chunks, indexing %, embedding coverage and the engine's state;
// a click opens a quick menu of actions.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { ModelsState } from '../../services/modelsState';
import type { VaultService, VaultState } from '../../services/vaultService';
import { formatBytes, formatCount } from '../common/format';

export const SHOW_MENU_COMMAND = 'codexVault.showStatusMenu';

export class VaultStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('codexVault.status', vscode.StatusBarAlignment.Left, 10));
  constructor(private readonly vault: VaultService, private readonly models: ModelsState) {
    super();
    this.item.name = 'Codex Vault';
    this.item.command = SHOW_MENU_COMMAND;
    this._register(vault.onDidChangeState((s) => this.render(s)));
    this._register(models.onDidChange(() => this.render(this.vault.state)));
    this.render(vault.state);
  }

  private render(s: VaultState): void {
    if (s.phase === 'no-folder') {
      this.item.hide();
      return;
    }
    const stats = s.stats;
    let text: string;
    switch (s.phase) {
      case 'stopped': text = '$(database) Codex Vault'; break;
      case 'starting': {
        const p = s.progress;
        text = p?.phase === 'upgrading' && p.total > 0 ? `$(sync~spin) Upgrading index ${Math.floor((p.done / p.total) * 100)}%` : '$(loading~spin) Codex Vault';
        break;
      }
      case 'indexing': {
        const p = s.progress;
        text = p && p.total > 0 ? `$(sync~spin) Indexing ${Math.floor((p.done / p.total) * 100)}%` : '$(sync~spin) Scanning…';
        break;
      }
      case 'error': text = '$(error) Codex Vault'; break;
      case 'ready': text = stats ? `$(database) ${formatCount(stats.files)} files · ${formatCount(stats.chunks)} chunks` : '$(database) Codex Vault'; break;
    }
    if (s.damage && s.phase === 'ready') text = `$(warning) Vault damaged · ${formatCount(stats?.files ?? 0)} files`;
    const engine = this.models.engineStatus();
    if (engine.loadedModel) text += engine.state === 'busy' ? ' $(hubot) $(loading~spin)' : ' $(hubot)';
    this.item.text = text;
    this.item.backgroundColor = s.phase === 'error' || s.damage ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;

    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = false;
    tip.supportHtml = false;
    tip.appendMarkdown('**Codex Vault**\n\n');
    if (stats) {
      const coverage = stats.chunks > 0 ? Math.round((stats.embedded / stats.chunks) * 100) : 0;
      tip.appendMarkdown(`- ${formatCount(stats.files)} files, ${formatCount(stats.chunks)} chunks, ${formatCount(stats.skipped)} skipped\n`);
      tip.appendMarkdown(`- embeddings: ${coverage}% of chunks (${formatCount(stats.embedded)})\n`);
      tip.appendMarkdown(`- database: ${formatBytes(stats.dbBytes)}${s.damage ? ' (damaged: only read until rebuilt)' : s.readOnly ? ' (read-only: another window owns it)' : ''}\n`);
    } else if (s.phase === 'stopped') {
      tip.appendMarkdown('Not started yet: search or index to start it.\n');
    }
    if (s.phase === 'indexing' && s.progress) tip.appendMarkdown(`- indexing: ${s.progress.done} / ${s.progress.total || '?'} files\n`);
    if (s.phase === 'error' && s.message) tip.appendText(`Error: ${s.message}\n`);
    if (s.damage) tip.appendText(`Damaged: ${s.damage.problems[0] ?? ''}\nRun "Codex Vault: Rebuild Damaged Vault" (keeps bookmarks and conversations).\n`);
    const mem = [engine.ramBytes ? `RAM ${formatBytes(engine.ramBytes)}` : '', engine.vramBytes ? `VRAM ${formatBytes(engine.vramBytes)}` : ''].filter(Boolean).join(', ');
    tip.appendText(`- engine: ${engine.state}${engine.loadedModel ? `, ${engine.loadedModel}` : ', no model loaded'}${mem ? ` (${mem})` : ''}\n`);
    tip.appendMarkdown('\nClick for actions.');
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `Codex Vault: ${text.replace(/\$\([^)]*\)\s*/g, '')}` };
    this.item.show();
  }
}
