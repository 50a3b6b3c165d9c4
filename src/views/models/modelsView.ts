// The Models view: manifest and local models with their state and fit, actions on them, and the
// loaded model's memory figures. Everything it shows comes from the vault worker's 'models' service.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import { SECTION } from '../../services/settings';
import type { VaultService } from '../../services/vaultService';
import type { ModelNode } from './modelItems';
import { ModelsCommands } from './modelsCommands';
import { ModelsTree } from './modelsTree';

export const MODELS_VIEW = 'codexVault.models';

export class ModelsView extends Disposable {
  readonly tree: ModelsTree;

  constructor(vault: VaultService, globalStorageDir: string, log: Log) {
    super();
    this.tree = this._register(new ModelsTree(vault, globalStorageDir, log));
    const view: vscode.TreeView<ModelNode> = this._register(vscode.window.createTreeView(MODELS_VIEW, { treeDataProvider: this.tree, showCollapseAll: false }));
    this._register(view.onDidChangeVisibility((e) => this.tree.setVisible(e.visible)));
    this.tree.setVisible(view.visible);
    for (const d of new ModelsCommands(vault, this.tree, log).register()) this._register(d);
    // The worker's chat and hybrid search use the models service too (chosen models, engine
    // settings): it gets the settings whenever the vault starts and whenever they change, shown or not.
    const configure = (): void => void this.tree.configure().catch((err: unknown) => log.error('could not configure models', err));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if ((e.affectsConfiguration(SECTION) || e.affectsConfiguration('http')) && vault.isStarted) {
        configure();
        this.tree.refresh();
      }
    }));
    let phase = vault.state.phase;
    this._register(vault.onDidChangeState((s) => {
      if (s.phase !== phase && s.phase === 'ready') {
        configure();
        this.tree.refresh();
      }
      phase = s.phase;
    }));
  }
}
