// The Bookmarks commands: each gathers what the user chose (the editor's file and selection, a tree
// node, a name, a confirmation) and hands it to the BookmarkStore in the vault worker. The store
// decides; these only ask, call and show.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { VaultService } from '../../services/vaultService';
import type { AnswerCitation, BookmarkNode, Placement } from '../../vault/bookmarks/types';
import type { SearchResultItem } from '../../worker/protocol';
import { toRow } from '../search/searchItems';
import { answerUri } from './answerDocuments';
import { lineSpan } from './bookmarkItems';
import type { BookmarksTree } from './bookmarksTree';
import { toFileRef, toUri } from './fileRef';

export const BOOKMARK_COMMANDS = {
  addFile: 'codexVault.bookmarks.addFile',
  addSelection: 'codexVault.bookmarks.addSelection',
  addSearchResult: 'codexVault.bookmarks.addSearchResult',
  addAnswer: 'codexVault.bookmarks.addAnswer',
  newFolder: 'codexVault.bookmarks.newFolder',
  rename: 'codexVault.bookmarks.rename',
  delete: 'codexVault.bookmarks.delete',
  moveUp: 'codexVault.bookmarks.moveUp',
  moveDown: 'codexVault.bookmarks.moveDown',
  moveToFolder: 'codexVault.bookmarks.moveToFolder',
  open: 'codexVault.bookmarks.open',
  refresh: 'codexVault.bookmarks.refresh',
} as const;

const OUTSIDE = 'Only files inside a workspace folder can be bookmarked.';

export class BookmarksCommands extends Disposable {
  constructor(
    private readonly vault: VaultService,
    private readonly tree: BookmarksTree,
    private readonly treeView: () => vscode.TreeView<BookmarkNode> | undefined,
    private readonly log: Log,
  ) {
    super();
    const c = BOOKMARK_COMMANDS;
    const reg = (id: string, fn: (...args: never[]) => Promise<unknown>): void =>
      void this._register(vscode.commands.registerCommand(id, (...args: never[]) => fn(...args).catch((err: unknown) => this.fail(err))));
    reg(c.addFile, (uri?: vscode.Uri) => this.addFile(uri));
    reg(c.addSelection, () => this.addSelection());
    reg(c.addSearchResult, (hit?: SearchResultItem, query?: string) => this.addSearchResult(hit, query));
    reg(c.addAnswer, (answer?: unknown) => this.addAnswer(answer));
    reg(c.newFolder, (node?: BookmarkNode) => this.newFolder(node));
    reg(c.rename, (node?: BookmarkNode) => this.rename(node));
    reg(c.delete, (node?: BookmarkNode, nodes?: BookmarkNode[]) => this.delete(node, nodes));
    reg(c.moveUp, (node?: BookmarkNode) => this.moveBy(node, -1));
    reg(c.moveDown, (node?: BookmarkNode) => this.moveBy(node, 1));
    reg(c.moveToFolder, (node?: BookmarkNode, nodes?: BookmarkNode[]) => this.moveToFolder(node, nodes));
    reg(c.open, (node?: BookmarkNode, opts?: { preserveFocus?: boolean }) => this.open(node, opts?.preserveFocus === true));
    reg(c.refresh, async () => this.tree.refresh());
  }

  /** Where new bookmarks go: into the selected folder, else the top level. */
  private placement(): Placement {
    const sel = this.treeView()?.selection[0];
    return sel?.kind === 'folder' ? { parentId: sel.id } : { parentId: null };
  }

  async addFile(uri?: vscode.Uri): Promise<void> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) throw new Error('Open a file first, then add a bookmark for it.');
    const ref = toFileRef(target);
    if (!ref) throw new Error(OUTSIDE);
    const b = await this.vault.call('bookmarks', 'addFile', ref, this.placement());
    await this.added(b.id, `Bookmarked ${ref.path}`);
  }

  async addSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) throw new Error('Select some text in an editor, then add a bookmark for it.');
    const ref = toFileRef(editor.document.uri);
    if (!ref) throw new Error(OUTSIDE);
    const sel = editor.selection;
    // A selection ending at the start of a line does not include that line.
    const endLine = sel.end.line > sel.start.line && sel.end.character === 0 ? sel.end.line - 1 : sel.end.line;
    const b = await this.vault.call('bookmarks', 'addSelection', {
      ...ref, startLine: sel.start.line + 1, endLine: endLine + 1, fileText: editor.document.getText(),
    }, this.placement());
    await this.added(b.id, `Bookmarked ${ref.path}:${lineSpan(b)}`);
  }

  /** From a search result (the search quick pick's button), or, from the palette, a search of its own. */
  async addSearchResult(hit?: SearchResultItem, query?: string): Promise<void> {
    if (!hit || typeof hit !== 'object' || typeof hit.path !== 'string') {
      const picked = await this.pickSearchResult();
      if (!picked) return;
      ({ hit, query } = picked);
    }
    const uri = vscode.Uri.file(hit.root);
    const ref = { rootPath: uri.fsPath, path: hit.path };
    const doc = await vscode.workspace.openTextDocument(toUri(ref));
    const b = await this.vault.call('bookmarks', 'addSearchResult', {
      ...ref, startLine: hit.startLine, endLine: hit.endLine, fileText: doc.getText(),
      query: query ?? '', label: hit.heading || hit.title || undefined,
    }, this.placement());
    await this.added(b.id, `Bookmarked ${hit.path}:${lineSpan(b)}`);
  }

  private async pickSearchResult(): Promise<{ hit: SearchResultItem; query: string } | undefined> {
    const query = await vscode.window.showInputBox({ title: 'Bookmark Search Result', prompt: 'Search the vault; then pick the result to bookmark', placeHolder: 'words to search for' });
    if (!query?.trim()) return undefined;
    const res = await this.vault.search(query, 'lexical', 30);
    if (res.items.length === 0) {
      void vscode.window.showInformationMessage(`Codex Vault: no notes match "${query}".`);
      return undefined;
    }
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const rootName = (root: string): string => vscode.workspace.getWorkspaceFolder(vscode.Uri.file(root))?.name ?? basename(root);
    const chosen = await vscode.window.showQuickPick(res.items.map((h) => toRow(h, multiRoot, rootName)), { title: `Bookmark a result for "${query}"`, matchOnDetail: true });
    return chosen ? { hit: chosen.hit, query } : undefined;
  }

  /** For the chat panel: `executeCommand('codexVault.bookmarks.addAnswer', { question, answer, citations })`. */
  async addAnswer(arg?: unknown): Promise<number | undefined> {
    const a = arg as { question?: unknown; answer?: unknown; citations?: unknown } | undefined;
    if (!a || typeof a.answer !== 'string' || typeof (a.question ?? '') !== 'string') throw new Error('Nothing to bookmark: no answer was given.');
    const citations = Array.isArray(a.citations) ? a.citations.filter(isCitation) : [];
    const b = await this.vault.call('bookmarks', 'addAnswer', { question: (a.question as string | undefined) ?? '', answer: a.answer, citations }, this.placement());
    await this.added(b.id, 'Bookmarked the answer');
    return b.id;
  }

  async newFolder(node?: BookmarkNode): Promise<void> {
    const parent = node?.kind === 'folder' ? node : undefined;
    const label = await vscode.window.showInputBox({
      title: parent ? `New Folder in "${parent.label}"` : 'New Bookmark Folder',
      prompt: 'Name of the folder',
      value: 'New Folder',
      validateInput: (v) => (v.trim() ? undefined : 'A folder needs a name.'),
    });
    if (label === undefined) return;
    const f = await this.vault.call('bookmarks', 'createFolder', label, parent ? { parentId: parent.id } : this.placement());
    await this.added(f.id);
  }

  async rename(node?: BookmarkNode): Promise<void> {
    const target = await this.target(node, 'Rename which bookmark?');
    if (!target) return;
    const label = await vscode.window.showInputBox({
      title: `Rename "${target.label}"`,
      value: target.label,
      validateInput: (v) => (v.trim() ? undefined : 'A bookmark needs a name.'),
    });
    if (label === undefined || label === target.label) return;
    await this.vault.call('bookmarks', 'rename', target.id, label);
    this.tree.refresh();
  }

  async delete(node?: BookmarkNode, nodes?: BookmarkNode[]): Promise<void> {
    const many = nodes && nodes.length > 1 && node && nodes.some((n) => n.id === node.id) ? nodes : undefined;
    const targets = many ?? [await this.target(node, 'Delete which bookmark?')].filter((n): n is BookmarkNode => n !== undefined);
    if (targets.length === 0) return;
    const inside = targets.reduce((sum, t) => sum + countInside(t), 0);
    const what = targets.length === 1 ? `"${targets[0]!.label}"` : `${targets.length} bookmarks`;
    const detail = inside > 0 ? `${inside} bookmark${inside === 1 ? '' : 's'} inside ${targets.length === 1 && targets[0]!.kind === 'folder' ? 'it' : 'the folders'} will be deleted too.` : 'The note itself is not changed.';
    const ok = await vscode.window.showWarningMessage(`Delete ${what}?`, { modal: true, detail }, 'Delete');
    if (ok !== 'Delete') return;
    await this.vault.call('bookmarks', 'deleteMany', targets.map((t) => t.id));
    this.tree.refresh();
  }

  async moveBy(node: BookmarkNode | undefined, delta: -1 | 1): Promise<void> {
    const target = await this.target(node, delta < 0 ? 'Move which bookmark up?' : 'Move which bookmark down?');
    if (!target) return;
    await this.vault.call('bookmarks', 'moveBy', target.id, delta);
    await this.reveal(target.id);
  }

  /** The keyboard way to do what drag and drop does: pick a folder (or the top level) to move into. */
  async moveToFolder(node?: BookmarkNode, nodes?: BookmarkNode[]): Promise<void> {
    const many = nodes && nodes.length > 1 && node && nodes.some((n) => n.id === node.id) ? nodes : undefined;
    const targets = many ?? [await this.target(node, 'Move which bookmark?')].filter((n): n is BookmarkNode => n !== undefined);
    if (targets.length === 0) return;
    const moving = new Set(targets.map((t) => t.id));
    const inside = (n: BookmarkNode): boolean => {
      for (let p: number | null = n.id; p !== null; p = this.tree.node(p)?.parentId ?? null) if (moving.has(p)) return true;
      return false;
    };
    const folders = this.tree.all().filter((n) => n.kind === 'folder' && !inside(n));
    const picked = await vscode.window.showQuickPick(
      [{ label: '$(root-folder) Top level', parentId: null as number | null }, ...folders.map((f) => ({ label: `$(folder) ${f.label.replace(/\$\(/g, '$\u200b(')}`, description: this.pathOf(f), parentId: f.id as number | null }))],
      { title: targets.length === 1 ? `Move "${targets[0]!.label}" to…` : `Move ${targets.length} bookmarks to…` },
    );
    if (!picked) return;
    await this.move(targets.map((t) => t.id), { parentId: picked.parentId });
  }

  /** "Outer › Inner" for a folder, to tell same-named folders apart. */
  private pathOf(n: BookmarkNode): string {
    const names: string[] = [];
    for (let p = n.parentId; p !== null; p = this.tree.node(p)?.parentId ?? null) names.unshift(this.tree.node(p)?.label ?? '');
    return names.join(' › ');
  }

  async move(ids: number[], place: Placement): Promise<void> {
    await this.vault.call('bookmarks', 'moveMany', ids, place);
    await this.reveal(ids[0]);
  }

  async addFiles(uris: vscode.Uri[], place: Placement): Promise<void> {
    const refs = uris.map(toFileRef);
    if (refs.some((r) => r === undefined)) void vscode.window.showWarningMessage(`Codex Vault: ${OUTSIDE}`);
    let last: number | undefined;
    for (const ref of refs) {
      if (ref) last = (await this.vault.call('bookmarks', 'addFile', ref, place)).id;
    }
    if (last !== undefined) await this.added(last);
  }

  /** Opens a bookmark: its text found again in the file as it is now, revealed and selected. */
  async open(node?: BookmarkNode, preserveFocus = false): Promise<void> {
    const target = await this.target(node, 'Open which bookmark?');
    if (!target || target.kind === 'folder') return;
    if (target.kind === 'answer') {
      const doc = await vscode.workspace.openTextDocument(answerUri(target.id));
      await vscode.window.showTextDocument(doc, { preview: true, preserveFocus });
      return;
    }
    if (!target.rootPath || !target.path) return;
    const uri = toUri({ rootPath: target.rootPath, path: target.path });
    let doc: vscode.TextDocument | undefined;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch {
      doc = undefined;
    }
    const r = await this.vault.call('bookmarks', 'resolve', target.id, doc ? doc.getText() : null);
    if (r.status !== target.status || r.startLine !== target.startLine || r.endLine !== target.endLine) this.tree.refresh();
    if (!doc) {
      void vscode.window.showWarningMessage(`Codex Vault: "${target.label}" points to ${target.path}, which no longer exists.`);
      return;
    }
    if (target.kind === 'file') {
      await vscode.window.showTextDocument(doc, { preview: true, preserveFocus });
      return;
    }
    await revealLines(doc, r.startLine, r.endLine, preserveFocus);
    if (r.status === 'lost') {
      void vscode.window.showWarningMessage(`Codex Vault: the bookmarked text of "${target.label}" is gone from ${target.path}. Showing where it was (line ${lineSpan(r)}).`);
    } else if (r.status === 'moved') {
      vscode.window.setStatusBarMessage(`$(bookmark) Bookmark found again at line ${lineSpan(r)} of ${target.path}`, 5000);
    }
  }

  /** The node a command acts on: its argument, else the tree's selection, else the user picks one. */
  private async target(node: BookmarkNode | undefined, question: string): Promise<BookmarkNode | undefined> {
    if (node && typeof node === 'object' && typeof node.id === 'number') return this.tree.node(node.id) ?? node;
    const sel = this.treeView()?.selection[0];
    if (sel) return sel;
    const all = (await this.tree.load(), this.tree.all());
    if (all.length === 0) {
      void vscode.window.showInformationMessage('Codex Vault: there are no bookmarks yet.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      all.map((n) => ({ label: `$(${n.kind === 'folder' ? 'folder' : 'bookmark'}) ${n.label.replace(/\$\(/g, '$\u200b(')}`, description: n.path ?? '', node: n })),
      { title: question },
    );
    return picked?.node;
  }

  private async added(id: number, message?: string): Promise<void> {
    await this.reveal(id);
    if (message) vscode.window.setStatusBarMessage(`$(bookmark) ${message}`, 4000);
  }

  /** Refreshes the tree and selects a bookmark in it (only when the view is showing, so focus is not stolen). */
  private async reveal(id: number | undefined): Promise<void> {
    this.tree.refresh();
    await this.tree.load();
    const view = this.treeView();
    const n = id === undefined ? undefined : this.tree.node(id);
    if (view?.visible && n) await view.reveal(n, { select: true, focus: false, expand: true });
  }

  private fail(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    this.log.error('bookmark command failed', err);
    void vscode.window.showErrorMessage(`Codex Vault: ${msg}`);
    this.tree.refresh();
  }
}

/** Shows a document with lines (1-based, inclusive) selected and revealed. */
async function revealLines(doc: vscode.TextDocument, startLine: number, endLine: number, preserveFocus: boolean): Promise<void> {
  const last = Math.max(0, doc.lineCount - 1);
  const start = Math.min(Math.max(0, startLine - 1), last);
  const end = Math.min(Math.max(start, endLine - 1), last);
  const selection = new vscode.Selection(start, 0, end, doc.lineAt(end).range.end.character);
  const editor = await vscode.window.showTextDocument(doc, { selection, preview: true, preserveFocus });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

function countInside(n: BookmarkNode): number {
  return n.children.reduce((sum, c) => sum + 1 + countInside(c), 0);
}

function isCitation(c: unknown): c is AnswerCitation {
  const x = c as Partial<AnswerCitation> | null;
  return !!x && typeof x.n === 'number' && typeof x.path === 'string' && typeof x.startLine === 'number' && typeof x.endLine === 'number';
}
