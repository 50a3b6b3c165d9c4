// Drag and drop in the Bookmarks tree: drop bookmarks on a folder to move them into it, on a bookmark
// to place them before it, on empty space to move them to the end of the top level. Files dragged in
// from the explorer or editor tabs become file bookmarks.
import * as vscode from 'vscode';
import type { BookmarkNode, Placement } from '../../vault/bookmarks/types';

export const BOOKMARK_MIME = 'application/vnd.code.tree.codexvault.bookmarks';

export interface DropActions {
  move(ids: number[], place: Placement): Promise<void>;
  addFiles(uris: vscode.Uri[], place: Placement): Promise<void>;
}

export class BookmarksDragAndDrop implements vscode.TreeDragAndDropController<BookmarkNode> {
  readonly dragMimeTypes = [BOOKMARK_MIME];
  readonly dropMimeTypes = [BOOKMARK_MIME, 'text/uri-list'];

  constructor(private readonly actions: DropActions) {}

  handleDrag(source: readonly BookmarkNode[], data: vscode.DataTransfer): void {
    data.set(BOOKMARK_MIME, new vscode.DataTransferItem(source.map((n) => n.id)));
  }

  async handleDrop(target: BookmarkNode | undefined, data: vscode.DataTransfer, token: vscode.CancellationToken): Promise<void> {
    const place: Placement = !target
      ? { parentId: null }
      : target.kind === 'folder'
        ? { parentId: target.id }
        : { parentId: target.parentId, beforeId: target.id };
    const own = data.get(BOOKMARK_MIME);
    if (own) {
      const ids = own.value as unknown;
      if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'number')) return;
      // Dropping a bookmark onto itself is no move.
      const moving = ids.filter((id) => id !== target?.id);
      if (moving.length > 0 && !token.isCancellationRequested) await this.actions.move(moving, place);
      return;
    }
    const uriList = data.get('text/uri-list');
    if (!uriList) return;
    const text = await uriList.asString();
    if (token.isCancellationRequested) return;
    const uris = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).flatMap((l) => {
      try {
        return [vscode.Uri.parse(l, true)];
      } catch {
        return [];
      }
    });
    if (uris.length > 0) await this.actions.addFiles(uris, place);
  }
}
