// The Related Notes tree's data: the notes related to one note, read from the vault worker in one
// call. Display only: the vault finds and ranks them (src/vault/related).
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { RelatedNote } from '../../vault/related/types';
import { toTreeItem } from './relatedItems';

export class RelatedTree extends Disposable implements vscode.TreeDataProvider<RelatedNote> {
  private notes: RelatedNote[] = [];
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  /** What the tree shows now (the in-host tests read it). */
  get items(): readonly RelatedNote[] {
    return this.notes;
  }

  show(notes: RelatedNote[]): void {
    this.notes = notes;
    this.changed.fire();
  }

  getTreeItem(n: RelatedNote): vscode.TreeItem {
    return toTreeItem(n);
  }

  getChildren(n?: RelatedNote): RelatedNote[] {
    return n ? [] : this.notes;
  }
}
