// The Related Notes view: follows the active editor (debounced) and shows the notes closest to the
// note in it, asked of the vault worker (`related.find`); a click opens a note's closest passage
// with its lines selected. Nothing is asked while the view is hidden, so the view never starts the
// vault on its own. Its empty states are the package.json viewsWelcome entries, chosen by the
// context key RELATED_STATE.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { VaultService } from '../../services/vaultService';
import type { RelatedNote } from '../../vault/related/types';
import { openAtLines } from '../common/openLocation';
import { OPEN_RELATED_COMMAND, relatedUri } from './relatedItems';
import { RelatedTree } from './relatedTree';

export const RELATED_VIEW = 'codexVault.related';
/** 'no-note': no Markdown note is open; 'none': the note has no related notes; 'error': the vault could not answer. */
export const RELATED_STATE = 'codexVault.relatedState';
/** Waits this long after the active editor changes, so that moving through tabs asks once. */
const DEBOUNCE_MS = 300;
const LIMIT = 15;

export class RelatedView extends Disposable {
  readonly tree: RelatedTree;
  private readonly view: vscode.TreeView<RelatedNote>;
  private timer: NodeJS.Timeout | undefined;
  /** The file shown (or asked for): the same file again asks nothing. */
  private shown: string | undefined;
  /** Answers to older requests are dropped. */
  private seq = 0;
  private readonly updated = this._register(new vscode.EventEmitter<string | undefined>());
  /** Fires with the file whose related notes are now shown (undefined: none). */
  readonly onDidUpdate = this.updated.event;

  constructor(private readonly vault: VaultService, private readonly log: Log) {
    super();
    this.tree = this._register(new RelatedTree());
    this.view = this._register(vscode.window.createTreeView(RELATED_VIEW, { treeDataProvider: this.tree, showCollapseAll: false }));
    this._register(vscode.commands.registerCommand(OPEN_RELATED_COMMAND, (n: RelatedNote) => openAtLines(relatedUri(n), n.startLine, n.endLine)));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.schedule()));
    this._register(this.view.onDidChangeVisibility((e) => { if (e.visible) this.schedule(); }));
    // A save or an index changes what is related: ask again for the note shown.
    this._register(vscode.workspace.onDidSaveTextDocument(() => this.schedule(true)));
    let phase = vault.state.phase;
    this._register(vault.onDidChangeState((s) => {
      if (s.phase !== phase && s.phase === 'ready') this.schedule(true);
      phase = s.phase;
    }));
    this._register({ dispose: () => clearTimeout(this.timer) });
    void vscode.commands.executeCommand('setContext', RELATED_STATE, 'no-note');
    if (this.view.visible) this.schedule();
  }

  private schedule(again = false): void {
    clearTimeout(this.timer);
    if (again) this.shown = undefined;
    this.timer = setTimeout(() => void this.update(), DEBOUNCE_MS);
  }

  private async update(): Promise<void> {
    if (!this.view.visible || this.vault.state.phase === 'no-folder') return;
    const uri = vscode.window.activeTextEditor?.document.uri;
    const file = uri?.scheme === 'file' && /\.(md|markdown)$/i.test(uri.fsPath) ? uri.fsPath : undefined;
    if (file === this.shown) return;
    this.shown = file;
    const seq = ++this.seq;
    if (!file) return this.show(seq, undefined, [], 'no-note');
    try {
      const r = await this.vault.call('related', 'find', file, { limit: LIMIT });
      this.show(seq, file, r.notes, r.notes.length === 0 ? 'none' : 'ok', r.by === 'vectors' ? 'by meaning' : 'by words');
    } catch (err) {
      // A note not in the vault (excluded, too large, not indexed yet) is not an error worth a log line.
      const message = err instanceof Error ? err.message : String(err);
      if (!/not a note of this vault|outside the vault/.test(message)) this.log.error(`could not find notes related to ${basename(file)}`, err);
      this.shown = undefined;
      this.show(seq, file, [], 'none');
    }
  }

  private show(seq: number, file: string | undefined, notes: RelatedNote[], state: 'ok' | 'none' | 'no-note', how?: string): void {
    if (seq !== this.seq) return;
    this.view.description = file ? `${basename(file)}${how && notes.length > 0 ? ` · ${how}` : ''}` : undefined;
    void vscode.commands.executeCommand('setContext', RELATED_STATE, state);
    this.tree.show(notes);
    this.updated.fire(file);
  }
}
