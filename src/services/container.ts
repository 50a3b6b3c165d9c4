// Builds the extension's services once, in dependency order, and owns them: the composition root's
// only state. Constructors take their dependencies; nothing heavy happens here (the vault worker
// starts on first use). A feature is one line: `this.x = this.add('name', () => new Feature(deps))`;
// add() registers the disposable once and times its construction (the activation breakdown in the log).
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { CoreCommands } from './coreCommands';
import { Disposable } from './disposable';
import { NoteWatcher } from './noteWatcher';
import { Log } from './log';
import { ModelsState } from './modelsState';
import { Settings } from './settings';
import { VaultService } from './vaultService';
import { SearchQuickPick } from '../views/search/searchQuickPick';
import { VaultStatusBar } from '../views/statusBar/vaultStatusBar';
import { BookmarksView } from '../views/bookmarks/bookmarksView';
import { ModelsView } from '../views/models/modelsView';
import { RelatedView } from '../views/related/relatedView';
import { ChatFeature } from '../views/chat/chatFeature';
import { EmbeddingsFeature } from '../views/embeddings/embeddingsFeature';
import { VaultLanguageModelTools } from '../lm/vaultTools';
import { VaultChatParticipant } from '../lm/vaultParticipant';
import { VaultMcpServerProvider } from '../lm/mcpServerProvider';

export class Container extends Disposable {
  readonly log: Log;
  readonly settings: Settings;
  readonly vault: VaultService;
  readonly models: ModelsState;
  readonly statusBar: VaultStatusBar;
  readonly search: SearchQuickPick;
  readonly chat: ChatFeature;
  readonly related: RelatedView;
  /** The editor's AI surfaces: language-model tools, the @vault participant, the MCP server definition. */
  readonly lmTools: VaultLanguageModelTools;
  readonly participant: VaultChatParticipant;
  readonly mcpProvider: VaultMcpServerProvider;
  /** Construction time of each service, in activation order (ms). */
  readonly timings: [string, number][] = [];

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.log = this.add('log', () => new Log());
    this.settings = this.add('settings', () => new Settings());
    const settings = this.settings;
    this.vault = this.add('vault', () => new VaultService({
      workerFile: join(context.extensionPath, 'dist', 'vault-worker.js'),
      storageDir: context.storageUri?.fsPath,
    }, settings, this.log));
    this.models = this.add('models', () => new ModelsState(this.vault, settings, context.globalStorageUri.fsPath, this.log));
    this.add('noteWatcher', () => new NoteWatcher(this.vault, this.log));
    this.statusBar = this.add('statusBar', () => new VaultStatusBar(this.vault, this.models));
    this.search = this.add('search', () => new SearchQuickPick(this.vault, settings, context.workspaceState, this.log));
    this.add('commands', () => new CoreCommands(this.vault, this.log));
    this.add('bookmarks', () => new BookmarksView(this.vault, this.search, this.log));
    this.add('modelsView', () => new ModelsView(this.vault, this.models, settings, this.log));
    this.related = this.add('related', () => new RelatedView(this.vault, this.log));
    this.chat = this.add('chat', () => new ChatFeature(context, this.vault, this.models, settings, this.log));
    this.add('embeddings', () => new EmbeddingsFeature(this.vault, this.models, settings, this.log));
    this.lmTools = this.add('lmTools', () => new VaultLanguageModelTools(this.vault, settings, this.log));
    this.participant = this.add('participant', () => new VaultChatParticipant({ vault: this.vault, chat: this.chat.backend, settings, log: this.log }, context.extensionUri));
    this.mcpProvider = this.add('mcpProvider', () => new VaultMcpServerProvider(this.vault, context.extensionPath, this.log));
  }

  private add<T extends vscode.Disposable>(name: string, create: () => T): T {
    const t = performance.now();
    const service = this._register(create());
    this.timings.push([name, Math.round((performance.now() - t) * 100) / 100]);
    return service;
  }

  /**
   * Stops everything, waiting for what runs outside this thread: the vault worker closes the vault
   * (its answers and backfill stored, its engine process exited, the database closed) before the
   * services are disposed.
   */
  async shutdown(): Promise<void> {
    try {
      await this.vault.close();
    } finally {
      this.dispose();
    }
  }

  /** Work that may follow activation (never part of it): background indexing when the user enabled it. */
  afterActivation(): void {
    if (this.settings.current.indexOnStartup && this.context.storageUri) {
      setTimeout(() => void this.vault.index().catch((err: unknown) => this.log.error('index on start-up failed', err)), 0);
    }
  }
}
