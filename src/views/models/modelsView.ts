// The Models view: manifest and local models with their state and fit, actions on them, and the
// loaded model's memory figures. Everything it shows comes from the host's one model state.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { ModelsState } from '../../services/modelsState';
import type { Settings } from '../../services/settings';
import type { VaultService } from '../../services/vaultService';
import type { ModelNode } from './modelItems';
import { ModelsCommands } from './modelsCommands';
import { ModelsTree } from './modelsTree';

export const MODELS_VIEW = 'codexVault.models';

export class ModelsView extends Disposable {
  readonly tree: ModelsTree;

  constructor(vault: VaultService, models: ModelsState, settings: Settings, log: Log) {
    super();
    this.tree = this._register(new ModelsTree(vault, models, log));
    const view = this._register(vscode.window.createTreeView<ModelNode>(MODELS_VIEW, { treeDataProvider: this.tree, showCollapseAll: false }));
    // Files can change outside the extension (a model deleted by hand): list again when shown.
    this._register(view.onDidChangeVisibility((e) => { if (e.visible && vault.isStarted) this.tree.refresh(); }));
    this._register(new ModelsCommands(models, settings, this.tree, log));
  }
}
