// Keeps the vault in step with the Markdown on disk while the window is open: a file system watcher
// (creates, changes, deletes, from any tool) plus VS Code's own renames and saves, coalesced per path
// and debounced, then sent to the worker in one batch. Include/exclude rules are applied in the worker.
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Log } from './log';
import type { VaultService } from './vaultService';
import type { FileChange } from '../worker/protocol';

const MARKDOWN_GLOB = '**/*.{md,markdown,MD,Markdown}';
/** Long enough to coalesce a save's burst of events, short enough to be searchable within a second. */
const DEBOUNCE_MS = 150;

function isMarkdown(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && /\.(md|markdown)$/i.test(uri.path);
}

export class NoteWatcher extends Disposable {
  private readonly queue = new Map<string, FileChange>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly vault: VaultService, private readonly log: Log) {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(MARKDOWN_GLOB));
    this._register(watcher.onDidCreate((u) => this.push({ kind: 'changed', path: u.fsPath })));
    this._register(watcher.onDidChange((u) => this.push({ kind: 'changed', path: u.fsPath })));
    this._register(watcher.onDidDelete((u) => this.push({ kind: 'deleted', path: u.fsPath })));
    this._register(vscode.workspace.onDidSaveTextDocument((d) => {
      if (isMarkdown(d.uri)) this.push({ kind: 'changed', path: d.uri.fsPath });
    }));
    // Renames and deletes done in VS Code also cover folders (the watcher's glob sees only notes);
    // the worker moves or removes the notes under a folder.
    this._register(vscode.workspace.onDidRenameFiles((e) => {
      for (const f of e.files) {
        if (f.newUri.scheme === 'file') this.push({ kind: 'renamed', path: f.newUri.fsPath, from: f.oldUri.fsPath });
      }
    }));
    this._register(vscode.workspace.onDidDeleteFiles((e) => {
      for (const u of e.files) {
        if (u.scheme === 'file' && !isMarkdown(u)) this.push({ kind: 'deleted', path: u.fsPath });
      }
    }));
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  private push(change: FileChange): void {
    const prev = this.queue.get(change.path);
    // A rename followed by an edit stays a rename (the worker re-reads the file either way).
    if (prev?.kind === 'renamed' && change.kind === 'changed') return;
    if (change.kind === 'renamed' && change.from) this.queue.delete(change.from);
    this.queue.set(change.path, change);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    const batch = [...this.queue.values()];
    this.queue.clear();
    // Batches go one after another so a delete never overtakes the change before it.
    this.flushing = this.flushing.then(() => this.vault.applyChanges(batch)).catch((err: unknown) => this.log.error('live update failed', err));
  }
}
