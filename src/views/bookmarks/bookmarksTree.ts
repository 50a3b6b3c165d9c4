// The Bookmarks tree's data: the whole tree is read from the vault worker in one call and cached
// until something changes (a command, a save that moved a bookmark). Display only: every change goes
// through the BookmarkStore in the worker.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { VaultService } from '../../services/vaultService';
import type { BookmarkNode } from '../../vault/bookmarks/types';
import { toTreeItem } from './bookmarkItems';

export const HAS_BOOKMARKS_CONTEXT = 'codexVault.hasBookmarks';

export class BookmarksTree extends Disposable implements vscode.TreeDataProvider<BookmarkNode> {
  private roots: BookmarkNode[] | undefined;
  private loading: Promise<BookmarkNode[]> | undefined;
  private readonly byId = new Map<number, BookmarkNode>();
  private readonly files = new Set<string>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly vault: VaultService, private readonly log: Log) {
    super();
  }

  /** Forgets the cache; the view asks again. */
  refresh(): void {
    this.roots = undefined;
    this.changed.fire();
  }

  getTreeItem(node: BookmarkNode): vscode.TreeItem {
    return toTreeItem(node);
  }

  async getChildren(node?: BookmarkNode): Promise<BookmarkNode[]> {
    if (node) return node.children;
    return this.load();
  }

  getParent(node: BookmarkNode): BookmarkNode | undefined {
    return node.parentId === null ? undefined : this.byId.get(node.parentId);
  }

  /** The cached node of an id (after the tree was shown at least once). */
  node(id: number): BookmarkNode | undefined {
    return this.byId.get(id);
  }

  /** Every cached node, depth first, in display order. */
  all(): BookmarkNode[] {
    const out: BookmarkNode[] = [];
    const walk = (nodes: BookmarkNode[]): void => nodes.forEach((n) => { out.push(n); walk(n.children); });
    walk(this.roots ?? []);
    return out;
  }

  /** Whether any bookmark points into this file (so a save of an unrelated file costs no worker call). */
  hasFile(rootPath: string, path: string): boolean {
    return this.files.has(`${rootPath}\0${path}`);
  }

  /** Loads the tree (once per refresh). */
  load(): Promise<BookmarkNode[]> {
    if (this.roots) return Promise.resolve(this.roots);
    this.loading ??= this.fetch().finally(() => { this.loading = undefined; });
    return this.loading;
  }

  private async fetch(): Promise<BookmarkNode[]> {
    let tree: BookmarkNode[] = [];
    if (this.vault.state.phase !== 'no-folder') {
      try {
        tree = await this.vault.call('bookmarks', 'tree');
      } catch (err) {
        this.log.error('could not read bookmarks', err);
      }
    }
    this.roots = tree;
    this.byId.clear();
    this.files.clear();
    for (const n of this.all()) {
      this.byId.set(n.id, n);
      if (n.rootPath && n.path) this.files.add(`${n.rootPath}\0${n.path}`);
    }
    void vscode.commands.executeCommand('setContext', HAS_BOOKMARKS_CONTEXT, tree.length > 0);
    return tree;
  }
}
