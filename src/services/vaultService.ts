// Owns the vault worker for this window: starts it on first use (never during activation), opens the
// database in the extension's workspace storage, keeps its roots and include/exclude rules in step with
// the workspace and settings, runs indexing with progress and cancellation, publishes its state, and
// hands the worker's events (answers, embedding progress, model state) to whoever follows them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Log } from './log';
import { affectsAny, INDEX_KEYS, type Settings } from './settings';
import { releaseOwnProcessLock } from '../vault/lock/ownerLock';
import { VaultWorkerClient, VaultWorkerError } from '../worker/vaultWorkerClient';
import {
  EVENT_TOPICS,
  type EventOf, type EventTopic, type FileChange, type IndexProgress, type IndexResult, type MethodName, type SearchFilter, type SearchMode,
  type SearchResult, type ServiceArgs, type ServiceName, type ServiceResult, type VaultDamage, type VaultStats, type WorkerEvent,
} from '../worker/protocol';

export type VaultPhase = 'stopped' | 'starting' | 'indexing' | 'ready' | 'error' | 'no-folder';

export interface VaultState {
  phase: VaultPhase;
  stats?: VaultStats;
  progress?: IndexProgress;
  readOnly: boolean;
  message?: string;
  lastIndex?: IndexResult;
  /** A check found the vault damaged: it is only read until rebuilt (see rebuild()). */
  damage?: VaultDamage;
}

export interface VaultPaths {
  workerFile: string;
  /** Workspace storage folder (context.storageUri); undefined when no folder is open. */
  storageDir: string | undefined;
}

export class VaultService extends Disposable {
  private client: VaultWorkerClient | undefined;
  private starting: Promise<VaultWorkerClient> | undefined;
  private indexing: { abort: AbortController; promise: Promise<IndexResult | undefined> } | undefined;
  /** The full check runs once per session, after the first index (it reads every page). */
  private healthChecked = false;
  private current: VaultState = { phase: 'stopped', readOnly: false };
  private readonly changed = this._register(new vscode.EventEmitter<VaultState>());
  readonly onDidChangeState = this.changed.event;
  private readonly listeners = new Map<EventTopic, Set<(e: WorkerEvent) => void>>();

  constructor(private readonly paths: VaultPaths, private readonly settings: Settings, private readonly log: Log) {
    super();
    if (!paths.storageDir) this.current = { phase: 'no-folder', readOnly: false };
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.reconfigure('workspace folders changed')));
    this._register(settings.onDidChange((e) => {
      if (affectsAny(e, INDEX_KEYS)) this.reconfigure('include/exclude settings changed');
    }));
    this._register({ dispose: () => void this.close() });
  }

  /**
   * Follows the worker's events of one topic (across worker restarts). Events flow once the vault has
   * started; nothing here starts it.
   */
  onEvent<T extends EventTopic>(topic: T, listener: (e: EventOf<T>) => void): vscode.Disposable {
    let set = this.listeners.get(topic);
    if (!set) this.listeners.set(topic, (set = new Set()));
    const l = listener as (e: WorkerEvent) => void;
    set.add(l);
    return { dispose: () => set.delete(l) };
  }

  /** Closes the vault and stops the worker; resolves when the engine process and the database are closed. */
  async close(): Promise<void> {
    const client = this.client ?? (await this.starting?.catch(() => undefined));
    this.client = undefined;
    await client?.dispose();
  }

  get state(): VaultState {
    return this.current;
  }

  /** The vault's database file in the workspace storage (undefined when no folder is open). */
  get dbFile(): string | undefined {
    return this.paths.storageDir ? join(this.paths.storageDir, 'vault.db') : undefined;
  }

  get isStarted(): boolean {
    return this.client !== undefined;
  }

  /** Absolute paths of the workspace folders on disk (other schemes cannot be scanned). */
  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** The worker, started and configured; starts the first (incremental) index in the background. */
  ready(): Promise<VaultWorkerClient> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  private async start(): Promise<VaultWorkerClient> {
    const storage = this.paths.storageDir;
    if (!storage) throw new Error('Open a folder to use Codex Vault: the vault indexes the Markdown in the workspace.');
    this.setState({ phase: 'starting' });
    const t = performance.now();
    mkdirSync(storage, { recursive: true });
    const client = new VaultWorkerClient(this.paths.workerFile);
    client.subscribe(EVENT_TOPICS, (e) => this.deliver(e));
    const dbFile = this.dbFile!;
    client.onExit((code) => {
      if (this.client !== client) return;
      this.client = undefined;
      // A worker thread that died ran no exit handlers: its owner lock still names this (live)
      // process, which would leave the next worker read-only, and what it announced holding
      // would keep a lock it left from being recovered. Release them; they are ours.
      if (releaseOwnProcessLock(dbFile, client.threadId)) this.log.warn('released the owner lock of the vault worker that stopped');
      if (!this.isDisposed) {
        this.log.error(`vault worker exited (code ${code}); it restarts on next use`);
        this.setState({ phase: 'error', message: `The vault worker stopped (code ${code}).` });
      }
    });
    try {
      // A new schema that re-indexes the notes (once) shows its progress while the vault opens.
      const upgrade = new UpgradeProgress();
      const opened = await client.request({ kind: 'open', dbFile }, {
        onProgress: (p) => {
          this.setState({ progress: p });
          upgrade.report(p);
        },
      }).finally(() => upgrade.end());
      if (upgrade.shown) this.log.info('the vault\'s full-text index was upgraded (re-indexed once for the new schema)');
      if (opened.readOnly) this.log.warn(`vault opened read-only: ${opened.reason ?? ''}`);
      await client.request({ kind: 'configure', roots: this.roots(), settings: this.settings.current.index });
      const stats = await client.request({ kind: 'stats' });
      this.client = client;
      this.setState({ phase: 'ready', stats, readOnly: opened.readOnly, message: opened.reason, damage: opened.damage, progress: undefined });
      this.log.info(`vault started in ${Math.round(performance.now() - t)} ms: ${dbFile} (${stats.files} files, ${stats.chunks} chunks)`);
      if (opened.damage) this.reportDamage(opened.damage, 'on opening');
      else if (!opened.readOnly) void this.index({ notify: stats.files === 0 });
      return client;
    } catch (err) {
      await client.dispose();
      this.setState({ phase: 'error', message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /**
   * Incremental index of every root. The first index of an empty vault reports in a cancellable
   * notification; later ones show in the status bar only. Concurrent calls share one run.
   */
  async index(opts: { notify: boolean } = { notify: false }): Promise<IndexResult | undefined> {
    if (this.indexing) return this.indexing.promise;
    const client = await this.ready();
    if (this.indexing) return (this.indexing as { promise: Promise<IndexResult | undefined> }).promise;
    const abort = new AbortController();
    const run = async (report?: (p: IndexProgress) => void): Promise<IndexResult | undefined> => {
      this.setState({ phase: 'indexing', progress: { phase: 'scanning', done: 0, total: 0 } });
      void vscode.commands.executeCommand('setContext', 'codexVault.indexing', true);
      try {
        const result = await client.request({ kind: 'index' }, {
          signal: abort.signal,
          onProgress: (p) => { this.setState({ progress: p }); report?.(p); },
        });
        this.log.info(`indexed ${this.roots().length} root(s) in ${result.ms} ms: +${result.added} ~${result.updated} -${result.removed} =${result.unchanged}, ${result.skipped} skipped${result.cancelled ? ' (cancelled)' : ''}`);
        this.setState({ phase: 'ready', progress: undefined, lastIndex: result });
        if (!this.healthChecked) void this.checkHealth(client);
        return result;
      } catch (err) {
        if (err instanceof VaultWorkerError && err.code === 'cancelled') {
          this.log.info('indexing cancelled');
          this.setState({ phase: 'ready', progress: undefined });
          return undefined;
        }
        this.log.error('indexing failed', err);
        this.setState({ phase: 'error', progress: undefined, message: err instanceof Error ? err.message : String(err) });
        throw err;
      } finally {
        this.indexing = undefined;
        void vscode.commands.executeCommand('setContext', 'codexVault.indexing', false);
      }
    };
    const promise = opts.notify
      ? Promise.resolve(vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Codex Vault: indexing the workspace', cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          return run((p) => {
            if (p.total === 0) return progress.report({ message: `scanning… ${p.done} files` });
            const pct = Math.floor((p.done / p.total) * 100);
            progress.report({ increment: pct - last, message: `${p.done} / ${p.total} files` });
            last = pct;
          });
        }))
      : run();
    this.indexing = { abort, promise };
    return promise;
  }

  /**
   * SQLite's full check of the vault, off the host thread (in the worker, after the first index of
   * the session, when nothing else is being written). On damage the worker stops writing at once.
   */
  private async checkHealth(client: VaultWorkerClient): Promise<void> {
    this.healthChecked = true;
    try {
      const r = await client.request({ kind: 'checkHealth' });
      this.log.info(`vault check (${r.checked.join(', ')}): ${r.ok ? 'no damage' : `${r.problems.length} problem(s)`} in ${r.ms} ms`);
      if (!r.ok) {
        this.setState({ readOnly: true, damage: { problems: r.problems, affected: r.affected } });
        this.reportDamage(r, 'by the background check');
      }
    } catch (err) {
      this.log.warn(`vault check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Tells the user once, with the way out; the details go to the log. */
  private reportDamage(damage: VaultDamage, when: string): void {
    this.log.error(`the vault is damaged (found ${when}); it is only read until it is rebuilt:\n  ${damage.problems.slice(0, 30).join('\n  ')}`);
    const rebuild = 'Rebuild Vault';
    const details = 'Show Details';
    void vscode.window.showErrorMessage(
      `Codex Vault: this workspace's vault is damaged (${damage.problems[0] ?? 'integrity check failed'}). Search still reads what it can, and nothing is written to it. ` +
      'Rebuilding keeps your bookmarks and conversations and indexes the notes again.',
      rebuild, details,
    ).then((pick) => {
      if (pick === rebuild) void this.rebuild();
      else if (pick === details) this.log.show();
    });
  }

  /**
   * Replaces a damaged vault by a fresh one that keeps its bookmarks, conversations, settings and
   * model records (the damaged file stays beside it), then indexes the notes into it.
   */
  async rebuild(): Promise<void> {
    const client = await this.ready();
    if (!this.current.damage) {
      void vscode.window.showInformationMessage('Codex Vault: the vault is not damaged; nothing to rebuild.');
      return;
    }
    try {
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Codex Vault: rebuilding the vault' }, () => client.request({ kind: 'rebuild' }));
      const kept = Object.entries(r.copied).filter(([, n]) => n > 0).map(([t, n]) => `${n} ${t}`).join(', ') || 'nothing to keep';
      this.log.warn(`vault rebuilt: kept ${kept}; the damaged file is kept as ${r.damagedCopy}`);
      this.setState({ readOnly: false, damage: undefined, message: undefined });
      this.healthChecked = false;
      void vscode.window.showInformationMessage(`Codex Vault: the vault was rebuilt (kept ${kept}); indexing the notes again.`);
      await client.request({ kind: 'configure', roots: this.roots(), settings: this.settings.current.index });
      await this.index({ notify: true });
    } catch (err) {
      this.log.error('rebuilding the vault failed', err);
      void vscode.window.showErrorMessage(`Codex Vault: rebuilding the vault failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  cancelIndex(): boolean {
    if (!this.indexing) return false;
    this.indexing.abort.abort();
    return true;
  }

  /** Full-text or hybrid search; in hybrid mode the worker embeds the query with the chosen embedding model. */
  async search(query: string, mode: SearchMode, limit: number, signal?: AbortSignal, filter?: SearchFilter): Promise<SearchResult> {
    const client = await this.ready();
    return client.request({ kind: 'search', query, mode, limit, ...(filter ? { filter } : {}) }, { signal });
  }

  /** Calls an allow-listed method of a service living in the worker beside the vault (SERVICE_METHODS in protocol.ts). */
  async call<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, ...args: ServiceArgs<S, M>): Promise<ServiceResult<S, M>> {
    const client = await this.ready();
    return client.call(service, method, ...args);
  }

  /** Live updates from the file watcher; ignored until the vault has been started. */
  async applyChanges(changes: FileChange[]): Promise<void> {
    if (!this.client || changes.length === 0) return;
    const r = await this.client.request({ kind: 'applyChanges', changes });
    if (r.applied > 0) this.log.info(`live update: ${r.applied} file(s) applied, ${r.ignored} ignored`);
  }

  /** Roots or include/exclude rules changed: apply them and re-scan, without a reload. */
  private reconfigure(why: string): void {
    const client = this.client;
    if (!client) return;
    this.log.info(`${why}: re-scanning`);
    this.cancelIndex();
    void (async () => {
      try {
        await this.indexing?.promise.catch(() => undefined);
        await client.request({ kind: 'configure', roots: this.roots(), settings: this.settings.current.index });
        await this.index();
      } catch (err) {
        this.log.error('re-scan failed', err);
      }
    })();
  }

  private deliver(e: WorkerEvent): void {
    if (e.topic === 'stats') this.setState({ stats: e.stats });
    else if (e.topic === 'log') (e.level === 'error' ? this.log.error(e.message) : e.level === 'warn' ? this.log.warn(e.message) : this.log.info(e.message));
    for (const l of this.listeners.get(e.topic) ?? []) {
      try {
        l(e);
      } catch (err) {
        this.log.error(`a ${e.topic} event listener failed`, err);
      }
    }
  }

  private setState(patch: Partial<VaultState>): void {
    this.current = { ...this.current, ...patch };
    this.changed.fire(this.current);
  }
}

/** A notification for a schema upgrade, opened on its first progress report. */
class UpgradeProgress {
  private report_: ((p: IndexProgress) => void) | undefined;
  private end_: (() => void) | undefined;
  private ended = false;
  shown = false;

  report(p: IndexProgress): void {
    if (!this.shown) {
      this.shown = true;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Codex Vault: upgrading the search index (once)' }, (progress) => new Promise<void>((resolve) => {
        let last = 0;
        this.report_ = (q) => {
          const pct = q.total > 0 ? Math.floor((q.done / q.total) * 100) : 0;
          progress.report({ increment: pct - last, message: `${q.done} / ${q.total} chunks` });
          last = pct;
        };
        // The task may start after the upgrade has already ended.
        if (this.ended) resolve();
        else this.end_ = resolve;
      }));
    }
    this.report_?.(p);
  }

  end(): void {
    this.ended = true;
    this.end_?.();
  }
}
