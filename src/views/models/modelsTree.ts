// The Models tree's data: the host's one model state (ModelsState), re-rendered whenever the vault
// worker reports a change (state, download progress, memory figures). The view computes nothing itself.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { ModelsState } from '../../services/modelsState';
import type { VaultService } from '../../services/vaultService';
import type { ModelItem, ModelsSnapshot } from '../../app/models/modelsTypes';
import { figures, groups, toTreeItem, type ModelNode } from './modelItems';

export class ModelsTree extends Disposable implements vscode.TreeDataProvider<ModelNode> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly vault: VaultService, private readonly models: ModelsState, private readonly log: Log) {
    super();
    this._register(models.onDidChange(() => this.changed.fire()));
  }

  /** Lists the models again (the view's Refresh, or after a command that failed). */
  refresh(): void {
    this.models.refresh().catch((err: unknown) => this.log.error('could not list models', err));
  }

  getTreeItem(node: ModelNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  async getChildren(node?: ModelNode): Promise<ModelNode[]> {
    if (!node) {
      const s = await this.load();
      return s ? groups(s) : [];
    }
    if (node.type === 'group') return node.models.map((model) => ({ type: 'model', model }));
    if (node.type === 'model') return figures(node.model);
    return [];
  }

  /** The current item of a model id (from the last snapshot). */
  model(id: string): ModelItem | undefined {
    return this.models.current()?.models.find((m) => m.id === id);
  }

  async load(): Promise<ModelsSnapshot | undefined> {
    if (this.vault.state.phase === 'no-folder') return undefined;
    try {
      return await this.models.snapshot();
    } catch (err) {
      this.log.error('could not list models', err);
      return undefined;
    }
  }
}
