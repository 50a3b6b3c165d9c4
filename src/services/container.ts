// Builds the extension's services once, in dependency order, and owns them: the composition root's
// only state. Constructors take their dependencies; nothing heavy happens here (the vault worker
// starts on first use). A feature is one line: `this.x = this._register(new Feature(deps))`.
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { CoreCommands } from './coreCommands';
import { Disposable } from './disposable';
import { LiveUpdates } from './liveUpdates';
import { Log } from './log';
import { readSettings } from './settings';
import { VaultService } from './vaultService';
import { SearchQuickPick } from '../views/search/searchQuickPick';
import { VaultStatusBar } from '../views/statusBar/vaultStatusBar';
import { BookmarksView } from '../views/bookmarks/bookmarksView';
import { ModelsView } from '../views/models/modelsView';

export class Container extends Disposable {
  readonly log: Log;
  readonly vault: VaultService;
  readonly statusBar: VaultStatusBar;
  readonly search: SearchQuickPick;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.log = this._register(new Log());
    this.vault = this._register(new VaultService({
      workerFile: join(context.extensionPath, 'dist', 'vault-worker.js'),
      storageDir: context.storageUri?.fsPath,
    }, this.log));
    this._register(new LiveUpdates(this.vault, this.log));
    this.statusBar = this._register(new VaultStatusBar(this.vault));
    this.search = this._register(new SearchQuickPick(this.vault, context.workspaceState, this.log));
    this._register(new CoreCommands(this.vault, this.log));
    // Features of other parts register here, one line each (G: bookmarks, models; H: chat, inline).
    this._register(new BookmarksView(this.vault, this.search, this.log));
    this._register(new ModelsView(this.vault, context.globalStorageUri.fsPath, this.log));
  }

  /** Work that may follow activation (never part of it): background indexing when the user enabled it. */
  afterActivation(): void {
    if (readSettings().indexOnStartup && this.context.storageUri) {
      setTimeout(() => void this.vault.index().catch((err: unknown) => this.log.error('index on start-up failed', err)), 0);
    }
  }
}
