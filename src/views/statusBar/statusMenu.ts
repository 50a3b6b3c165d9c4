// The quick menu behind the status bar item: the vault's actions that apply right now.
import * as vscode from 'vscode';
import type { VaultService } from '../../services/vaultService';

interface MenuItem extends vscode.QuickPickItem {
  command: string;
}

export async function showStatusMenu(vault: VaultService): Promise<void> {
  const s = vault.state;
  const items: MenuItem[] = [
    { label: '$(search) Search Vault', command: 'codexVault.search' },
    s.phase === 'indexing'
      ? { label: '$(debug-stop) Cancel Indexing', command: 'codexVault.cancelIndexing' }
      : { label: '$(refresh) Index Workspace', description: 'pick up changes made while the window was closed', command: 'codexVault.index' },
    { label: '$(settings-gear) Open Settings', command: 'codexVault.openSettings' },
    { label: '$(output) Show Log', command: 'codexVault.showLog' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Codex Vault', placeHolder: 'Choose an action' });
  if (pick) await vscode.commands.executeCommand(pick.command);
}
