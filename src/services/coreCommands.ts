// The vault's own palette commands (each feature registers its own commands in its constructor).
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Log } from './log';
import type { VaultService } from './vaultService';
import { showStatusMenu } from '../views/statusBar/statusMenu';
import { SHOW_MENU_COMMAND } from '../views/statusBar/vaultStatusBar';

export class CoreCommands extends Disposable {
  constructor(vault: VaultService, log: Log) {
    super();
    const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
      this._register(vscode.commands.registerCommand(id, fn));
    };
    reg('codexVault.index', async () => {
      try {
        const r = await vault.index({ notify: true });
        if (r && !r.cancelled) void vscode.window.setStatusBarMessage(`Codex Vault: indexed (+${r.added} ~${r.updated} -${r.removed})`, 4000);
      } catch (err) {
        void vscode.window.showErrorMessage(`Codex Vault: indexing failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    reg('codexVault.cancelIndexing', () => vault.cancelIndex());
    reg('codexVault.rebuildVault', () => vault.rebuild());
    reg(SHOW_MENU_COMMAND, () => showStatusMenu(vault));
    reg('codexVault.showLog', () => log.show());
    reg('codexVault.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:codex-vault.codex-vault'));
  }
}
