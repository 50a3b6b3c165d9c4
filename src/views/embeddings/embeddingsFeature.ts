// Embeddings in the background, host side: asks the vault worker's 'embeddings' service to backfill
// after an index, after live updates (debounced) and when codexVault.embeddingModel changes; follows
// its 'embeddings' events and shows them in the status bar (and, for a big first backfill, in a
// cancellable notification); Pause / Resume / Cancel / Rebuild commands. The work runs in the worker.
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { Log } from '../../services/log';
import type { ModelsState } from '../../services/modelsState';
import type { Settings } from '../../services/settings';
import type { VaultService, VaultState } from '../../services/vaultService';
import type { EmbeddingsStatus } from '../../app/embeddings/embeddingsTypes';
import { coveragePercent, EMBEDDINGS_MENU_COMMAND, EmbeddingsStatusItem } from './embeddingsStatusItem';
import { verifyNamedModel } from '../common/verifyNamedModel';

export const EMBEDDING_COMMANDS = {
  pause: 'codexVault.embeddings.pause',
  resume: 'codexVault.embeddings.resume',
  cancel: 'codexVault.embeddings.cancel',
  rebuild: 'codexVault.embeddings.rebuild',
} as const;

/** Context key for when clauses: 'off' (no model chosen) or the backfill's state. */
const STATE_KEY = 'codexVault.embeddingState';
/** Live updates arrive in bursts (a save, a branch switch): one backfill after they settle. */
const DEBOUNCE_MS = 1500;
/** A backfill with at least this many chunks to go also shows a notification (once per model per window). */
const NOTIFY_MIN_CHUNKS = 50;

export class EmbeddingsFeature extends Disposable {
  private readonly item = this._register(new EmbeddingsStatusItem());
  private status: EmbeddingsStatus | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastPhase: VaultState['phase'] | undefined;
  private lastStats: VaultState['stats'];
  private readonly notified = new Set<string>();
  private notification: { report(s: EmbeddingsStatus): void; end(): void } | undefined;

  constructor(private readonly vault: VaultService, private readonly models: ModelsState, private readonly settings: Settings, private readonly log: Log) {
    super();
    this._register({ dispose: () => clearTimeout(this.timer) });
    this._register({ dispose: () => this.notification?.end() });
    const command = (id: string, fn: () => unknown): void => void this._register(vscode.commands.registerCommand(id, fn));
    command(EMBEDDING_COMMANDS.pause, () => this.act('pause'));
    command(EMBEDDING_COMMANDS.resume, () => (this.status?.state === 'paused' ? this.act('resume') : this.start(false)));
    command(EMBEDDING_COMMANDS.cancel, () => this.act('cancel'));
    command(EMBEDDING_COMMANDS.rebuild, () => this.rebuild());
    command(EMBEDDINGS_MENU_COMMAND, () => this.showMenu());
    this._register(vault.onDidChangeState((s) => this.onVaultState(s)));
    this._register(vault.onEvent('embeddings', (e) => this.update(e.status)));
    this._register(settings.onDidChange((e) => {
      if (e.affects('embeddingModel') && this.vault.isStarted) this.schedule(0);
    }));
  }

  /**
   * A finished index (the vault turns ready) or a live update (new stats while ready) may have
   * added chunks: backfill after things settle. Not while indexing, and not in a read-only vault
   * (the window that owns it embeds).
   */
  private onVaultState(s: VaultState): void {
    const becameReady = s.phase === 'ready' && this.lastPhase !== 'ready';
    const newStats = s.phase === 'ready' && s.stats !== this.lastStats;
    // A restarted worker numbers its statuses from the start again.
    if (s.phase === 'starting' || s.phase === 'error') this.status = undefined;
    this.lastPhase = s.phase;
    this.lastStats = s.stats;
    if (s.phase === 'indexing') clearTimeout(this.timer);
    else if ((becameReady || newStats) && !s.readOnly) this.schedule(DEBOUNCE_MS);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.start(false), ms);
  }

  /** Sends the models settings (the worker loads the model through them), then starts the backfill. */
  private async start(rebuild: boolean): Promise<void> {
    if (this.isDisposed || !this.vault.isStarted || this.vault.state.readOnly) return;
    try {
      await this.models.ensureConfigured();
      await verifyNamedModel(this.models, (await this.models.snapshot()).models, 'embedding', this.settings.current.embeddingModel);
      const s = await this.vault.call('embeddings', 'start', { model: this.settings.current.embeddingModel, rebuild });
      if (!s.model) this.log.info(s.message);
      this.update(s);
    } catch (err) {
      this.log.error('could not start embedding', err);
    }
  }

  private async rebuild(): Promise<void> {
    if (!this.settings.current.embeddingModel) {
      void vscode.window.showInformationMessage('Codex Vault: choose an embedding model first (Models view, "Use as Embedding Model"); full-text search works without one.');
      return;
    }
    const ok = await vscode.window.showWarningMessage(
      'Rebuild embeddings? The vectors of the chosen embedding model are deleted and every chunk is embedded again.',
      { modal: true }, 'Rebuild',
    );
    if (ok !== 'Rebuild') return;
    await this.vault.ready();
    await this.start(true);
  }

  private async act(what: 'pause' | 'resume' | 'cancel'): Promise<void> {
    if (!this.vault.isStarted) return;
    try {
      if (what === 'resume') await this.models.ensureConfigured();
      this.update(await this.vault.call('embeddings', what));
    } catch (err) {
      this.log.error(`could not ${what} embedding`, err);
    }
  }

  private update(s: EmbeddingsStatus): void {
    const previous = this.status;
    // A call's answer can arrive after an event that was sent later: keep the newest.
    if (previous && s.version < previous.version) return;
    this.status = s;
    this.item.render(s);
    void vscode.commands.executeCommand('setContext', STATE_KEY, s.model ? s.state : 'off');
    if (s.state === 'error' && previous?.state !== 'error') this.log.error(`embedding stopped: ${s.error ?? s.message}`);
    if (s.state === 'done' && previous?.state !== 'done') this.log.info(`embeddings: ${s.message}`);
    this.maybeNotify(s);
    if (this.notification) {
      if (s.state === 'running' || s.state === 'paused') this.notification.report(s);
      else this.endNotification();
    }
  }

  /** A big backfill (the first one for a model, typically) also reports in a cancellable notification. */
  private maybeNotify(s: EmbeddingsStatus): void {
    if (this.notification || s.state !== 'running' || !s.modelKey || !s.coverage) return;
    if (s.coverage.total - s.coverage.embedded < NOTIFY_MIN_CHUNKS || this.notified.has(s.modelKey)) return;
    this.notified.add(s.modelKey);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Codex Vault: embedding notes for semantic search', cancellable: true },
      (progress, token) => new Promise<void>((resolve) => {
        let last = 0;
        token.onCancellationRequested(() => void this.act('cancel'));
        this.notification = {
          report: (x) => {
            const pct = coveragePercent(x) ?? 0;
            progress.report({ increment: Math.max(0, pct - last), message: `${pct}%${x.state === 'paused' ? ' (paused)' : ''} — full-text search works meanwhile` });
            last = Math.max(last, pct);
          },
          end: resolve,
        };
        this.notification.report(s);
      }),
    );
  }

  private endNotification(): void {
    const n = this.notification;
    this.notification = undefined;
    n?.end();
  }

  private async showMenu(): Promise<void> {
    const s = this.status;
    const hasModel = Boolean(this.settings.current.embeddingModel);
    const items: (vscode.QuickPickItem & { run: () => unknown })[] = [];
    if (s?.state === 'running') items.push({ label: '$(debug-pause) Pause Embedding', run: () => this.act('pause') });
    if (hasModel && (s?.state === 'paused' || s?.state === 'idle' || s?.state === 'error' || !s)) {
      items.push({ label: '$(debug-start) Resume Embedding', run: () => (s?.state === 'paused' ? this.act('resume') : this.start(false)) });
    }
    if (s?.state === 'running' || s?.state === 'paused') items.push({ label: '$(debug-stop) Cancel Embedding', description: 'what was embedded is kept', run: () => this.act('cancel') });
    if (hasModel) items.push({ label: '$(refresh) Rebuild Embeddings', description: 'embed every chunk again', run: () => this.rebuild() });
    items.push({ label: '$(symbol-misc) Choose Embedding Model', description: 'in the Models view', run: () => vscode.commands.executeCommand('codexVault.models.focus') });
    const pick = await vscode.window.showQuickPick(items, { title: 'Codex Vault: Embeddings', placeHolder: s?.message ?? 'Embedding actions' });
    await pick?.run();
  }
}
