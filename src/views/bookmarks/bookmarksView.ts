// The Bookmarks view: tree, drag and drop, commands, and keeping bookmarks in step with the files
// they point into (a save re-finds their text; renames and deletes made in VS Code follow along).
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { VaultService } from '../../services/vaultService';
import type { BookmarkNode } from '../../vault/bookmarks/types';
import type { SearchQuickPick } from '../search/searchQuickPick';
import { ANSWER_SCHEME, AnswerDocuments } from './answerDocuments';
import { BOOKMARK_COMMANDS, BookmarksCommands } from './bookmarksCommands';
import { BookmarksDragAndDrop } from './bookmarksDragAndDrop';
import { BookmarksTree } from './bookmarksTree';
import { toFileRef } from './fileRef';

export const BOOKMARKS_VIEW = 'codexVault.bookmarks';

export class BookmarksView extends Disposable {
  readonly tree: BookmarksTree;
  private readonly view: vscode.TreeView<BookmarkNode>;

  constructor(private readonly vault: VaultService, search: SearchQuickPick, private readonly log: Log) {
    super();
    this.tree = this._register(new BookmarksTree(vault, log));
    const commands = this._register(new BookmarksCommands(vault, this.tree, () => this.view, log));
    this.view = this._register(vscode.window.createTreeView(BOOKMARKS_VIEW, {
      treeDataProvider: this.tree,
      dragAndDropController: new BookmarksDragAndDrop({ move: (ids, place) => commands.move(ids, place), addFiles: (uris, place) => commands.addFiles(uris, place) }),
      showCollapseAll: true,
      canSelectMany: true,
    }));
    this._register(vscode.workspace.registerTextDocumentContentProvider(ANSWER_SCHEME, new AnswerDocuments(vault)));
    search.addResultAction({
      button: { iconPath: new vscode.ThemeIcon('bookmark'), tooltip: 'Bookmark this result' },
      run: (hit, query?: string) => vscode.commands.executeCommand(BOOKMARK_COMMANDS.addSearchResult, hit, query),
    });
    this._register(vscode.workspace.onDidSaveTextDocument((doc) => this.refind(doc.uri, doc.getText())));
    this._register(vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((uri) => this.refind(uri, null))));
    this._register(vscode.workspace.onDidRenameFiles((e) => void this.followRenames(e.files)));
    // Bookmarks live in the vault: once it is (re)started, show what it holds.
    let phase = vault.state.phase;
    this._register(vault.onDidChangeState((s) => {
      if (s.phase !== phase && (s.phase === 'ready' || phase === 'starting')) this.tree.refresh();
      phase = s.phase;
    }));
  }

  /** Re-finds the text of the bookmarks into a saved (or deleted: null) file, so lines and status stay current. */
  private refind(uri: vscode.Uri, text: string | null): void {
    const ref = toFileRef(uri);
    if (!ref || !this.vault.isStarted || !this.tree.hasFile(ref.rootPath, ref.path)) return;
    void this.vault.call('bookmarks', 'resolveFile', ref, text).then(
      (results) => { if (results.length > 0) this.tree.refresh(); },
      (err: unknown) => this.log.error(`could not update bookmarks of ${ref.path}`, err),
    );
  }

  private async followRenames(files: readonly { oldUri: vscode.Uri; newUri: vscode.Uri }[]): Promise<void> {
    if (!this.vault.isStarted) return;
    let changed = 0;
    for (const f of files) {
      const from = toFileRef(f.oldUri);
      const to = toFileRef(f.newUri);
      if (!from || !to || from.rootPath !== to.rootPath) continue;
      try {
        changed += await this.vault.call('bookmarks', 'renamePath', from.rootPath, from.path, to.path);
      } catch (err) {
        this.log.error(`could not move bookmarks from ${from.path} to ${to.path}`, err);
      }
    }
    if (changed > 0) this.tree.refresh();
  }
}
