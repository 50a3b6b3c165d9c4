// The worker-thread side of the vault protocol: owns the Vault (one SQLite connection) and the
// application services composed over it (src/worker/compose.ts), answers requests by id, runs
// mutations one at a time, cancels by id, and streams events to subscribers. Kept apart from the
// thread entry (vaultWorkerMain.ts) so unit tests can drive it in-process.
import { renameSync, rmSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DatabaseDamagedError, Vault, VaultLockedError } from '../vault/vault';
import { fullCheck } from '../vault/db/health';
import { damageAdvice, forgetHealth } from '../vault/db/openDatabase';
import { salvage } from '../vault/doctor/salvage';
import { OwnerLock } from '../vault/lock/ownerLock';
import { createPathFilter, type PathFilter } from '../vault/scan/scanner';
import { SqliteError } from '../vault/db/sqlite';
import { composeApp, type AppGraph, type ComposeOptions } from './compose';
import type { AppEvent } from '../app/events';
import type { IndexProgress as IndexerProgress } from '../vault/index/types';
import { Retriever } from '../vault/retrieval/retriever';
import { VectorIndexCache } from '../vault/vectors/vectorIndex';
import { EmbeddingStore } from '../vault/embeddings/embeddingStore';
import {
  SNIPPET_CLOSE, SNIPPET_OPEN, validateHostMessage,
  type ChangesResult, type EventTopic, type FileChange, type HealthResult, type HostMessage, type IndexResult, type IndexSettings, type OpenResult,
  type QueryEmbedding, type RebuildResult, type RequestKind, type ResultOf, type SearchFilter, type SearchResult, type SearchResultItem, type VaultStats, type WorkerErrorInfo,
  type WorkerEvent, type WorkerMessage, type WorkerRequest,
} from './protocol';

class CancelledError extends Error {}
class NotOpenError extends Error {}

const isNote = (path: string): boolean => /\.(md|markdown)$/i.test(path);

function errorInfo(err: unknown): WorkerErrorInfo {
  if (err instanceof CancelledError || (err instanceof Error && err.name === 'AbortError')) return { message: 'cancelled', code: 'cancelled' };
  if (err instanceof NotOpenError) return { message: err.message, code: 'closed' };
  if (err instanceof SqliteError && (err.code === 'locked' || err.code === 'corrupt')) return { message: err.message, code: err.code };
  return { message: err instanceof Error ? err.message : String(err), code: 'error' };
}

export class VaultWorkerHandler {
  private vault: Vault | undefined;
  private readOnly = false;
  /** Why writing is off: another window owns the vault, or it is damaged. */
  private readOnlyReason = '';
  /** A check found damage: writing is off until rebuild(). */
  private damaged = false;
  private roots: string[] = [];
  private settings: IndexSettings = { include: [], exclude: [], maxFileBytes: 2 * 1024 * 1024 };
  private filters = new Map<string, PathFilter>();
  private readonly aborts = new Map<number, AbortController>();
  private readonly subscriptions = new Map<number, ReadonlySet<EventTopic>>();
  private app: AppGraph | undefined;
  private retriever: Retriever | undefined;
  /** Mutations (configure, index, changes) run one after another; reads do not wait. */
  private mutations: Promise<unknown> = Promise.resolve();

  /** `engine` replaces the engine client the composition root builds (tests). */
  constructor(private readonly emit: (msg: WorkerMessage) => void, private readonly engine?: ComposeOptions['engine']) {}

  handle(raw: unknown): void {
    const problem = validateHostMessage(raw);
    if (problem) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      this.emit({ type: 'response', id, ok: false, error: { message: `bad request: ${problem}`, code: 'bad-request' } });
      return;
    }
    const msg = raw as HostMessage;
    if (msg.type === 'cancel') {
      this.aborts.get(msg.id)?.abort();
      return;
    }
    if (msg.type === 'subscribe') {
      this.subscriptions.set(msg.id, new Set(msg.topics));
      return;
    }
    if (msg.type === 'unsubscribe') {
      this.subscriptions.delete(msg.id);
      return;
    }
    const abort = new AbortController();
    this.aborts.set(msg.id, abort);
    const mutating = msg.request.kind === 'configure' || msg.request.kind === 'index' || msg.request.kind === 'applyChanges' || msg.request.kind === 'rebuild' || msg.request.kind === 'checkHealth';
    const run = (): Promise<void> => this.dispatch(msg.id, msg.request, abort.signal)
      .then((result) => this.emit({ type: 'response', id: msg.id, ok: true, result }))
      .catch((err: unknown) => this.emit({ type: 'response', id: msg.id, ok: false, error: errorInfo(err) }))
      .finally(() => this.aborts.delete(msg.id));
    if (mutating) this.mutations = this.mutations.then(run);
    else void run();
  }

  private async dispatch(id: number, req: WorkerRequest, signal: AbortSignal): Promise<ResultOf<RequestKind>> {
    if (signal.aborted) throw new CancelledError();
    switch (req.kind) {
      case 'open': return this.open(id, req.dbFile);
      case 'configure': return this.configure(req.roots, req.settings);
      case 'index': return this.index(id, signal);
      case 'applyChanges': return this.applyChanges(req.changes);
      case 'search': return this.search(req.query, req.mode, req.limit, req.embedding, req.filter ?? {}, signal);
      case 'stats': return this.stats();
      case 'service': return this.callService(req.service, req.method, req.args);
      case 'checkHealth': return this.checkHealth();
      case 'rebuild': return this.rebuild();
      case 'close': return this.close();
    }
  }

  private requireVault(): Vault {
    if (!this.vault) throw new NotOpenError('The vault is not open (send "open" first).');
    return this.vault;
  }

  private async open(id: number, dbFile: string): Promise<OpenResult> {
    await this.close();
    this.damaged = false;
    let result: OpenResult;
    try {
      // A schema upgrade that re-indexes the notes (migration 0004) reports as it goes.
      this.vault = Vault.open(dbFile, { onUpgradeProgress: (p) => this.emit({ type: 'progress', id, progress: { phase: 'upgrading', done: p.done, total: p.total } }) });
      this.readOnly = false;
      result = { readOnly: false };
    } catch (err) {
      // Another window (or process) owns the vault: search it, but leave writing to its owner.
      // A damaged vault: search what can be read, write nothing until it is rebuilt.
      if (!(err instanceof VaultLockedError) && !(err instanceof DatabaseDamagedError)) throw err;
      this.vault = Vault.open(dbFile, { readOnly: true });
      this.readOnly = true;
      const h = this.vault.health;
      const damage = err instanceof DatabaseDamagedError ? { problems: err.report.problems, affected: err.report.affected } : !h.ok ? { problems: h.problems, affected: h.affected } : undefined;
      this.damaged = damage !== undefined;
      this.readOnlyReason = damage ? `the vault is damaged; it is not written until it is rebuilt (${damageAdvice(this.vault.file)})` : 'the vault is open read-only (another window owns it); it is indexed there';
      result = { readOnly: true, reason: err instanceof Error ? err.message : String(err), ...(damage ? { damage } : {}) };
    }
    this.compose(this.vault);
    return result;
  }

  /** The application's object graph over the open vault (src/worker/compose.ts). */
  private compose(vault: Vault): void {
    this.app = composeApp(vault.db, {
      events: { emit: (e: AppEvent) => this.publish(e), wants: (t) => this.wants(t) },
      ...(this.engine ? { engine: this.engine } : {}),
    });
  }

  private wants(topic: EventTopic): boolean {
    for (const topics of this.subscriptions.values()) if (topics.has(topic)) return true;
    return false;
  }

  /** Sends an event to every subscription that follows its topic. */
  private publish(event: WorkerEvent): void {
    for (const [subscription, topics] of this.subscriptions) {
      if (topics.has(event.topic)) this.emit({ type: 'event', subscription, event });
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.publish({ topic: 'log', level, message });
  }

  /**
   * The full check (integrity_check; FTS5's own check is left to `codex-vault doctor`: it reads
   * the whole index again). Damage found stops every write on this connection at once, the
   * services' included.
   */
  private checkHealth(): HealthResult {
    const vault = this.requireVault();
    const r = fullCheck(vault.db, { fts: false });
    if (!r.ok) {
      forgetHealth(vault.file);
      if (!vault.db.refusedWrites && !vault.db.readOnly) vault.db.refuseWrites(`The vault ${vault.file} is damaged. ${damageAdvice(vault.file)}`);
      this.readOnly = true;
      this.damaged = true;
      this.readOnlyReason = 'the vault is damaged; it is not written until it is rebuilt';
    }
    return { ok: r.ok, problems: r.problems, affected: r.affected, checked: r.checked, ms: r.ms };
  }

  /**
   * A fresh vault with what only the vault holds (bookmarks, conversations, settings, model
   * records) copied from the damaged one, which is kept beside it as `<db>.damaged-<time>`. The
   * host indexes the notes into it next.
   */
  private async rebuild(): Promise<RebuildResult> {
    const vault = this.requireVault();
    if (!this.damaged) throw new Error('The vault is not damaged: there is nothing to rebuild (re-index it instead).');
    const file = vault.file;
    await this.close();
    // Owned while the files are swapped, so that no other window starts writing the damaged one.
    const lock = OwnerLock.acquire(file);
    let saved: ReturnType<typeof salvage>;
    let damagedCopy: string;
    try {
      const fresh = `${file}.rebuilt`;
      rmSync(fresh, { force: true });
      saved = salvage(file, fresh);
      damagedCopy = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, damagedCopy);
      renameSync(fresh, file);
    } finally {
      lock.release();
    }
    forgetHealth(file);
    this.damaged = false;
    this.vault = Vault.open(file);
    this.readOnly = false;
    this.compose(this.vault);
    this.log('warn', `rebuilt the damaged vault: kept ${Object.entries(saved.copied).map(([t, n]) => `${n} ${t}`).join(', ')}; the damaged file is kept as ${damagedCopy}`);
    return { copied: saved.copied, lost: saved.lost, damagedCopy };
  }

  private async configure(roots: string[], settings: IndexSettings): Promise<{ roots: number }> {
    this.roots = [...roots].sort((a, b) => b.length - a.length); // longest first: nested roots match the inner one
    this.settings = settings;
    this.filters.clear();
    for (const root of this.roots) {
      this.filters.set(root, await createPathFilter(root, { include: settings.include, exclude: settings.exclude }));
    }
    return { roots: roots.length };
  }

  private async index(id: number, signal: AbortSignal): Promise<IndexResult> {
    const vault = this.requireVault();
    if (this.readOnly) throw new Error(this.readOnlyReason);
    const t = performance.now();
    const summary = await vault.indexRoots(this.roots, {
      include: this.settings.include,
      exclude: this.settings.exclude,
      maxFileBytes: this.settings.maxFileBytes,
      followExternalSymlinks: this.settings.followExternalSymlinks === true,
      signal,
      onProgress: (p: IndexerProgress) => {
        // Removal and 'done' are quick tails of the run: the host shows them as indexing.
        if (p.phase === 'scanning' || p.phase === 'indexing') this.emit({ type: 'progress', id, progress: { phase: p.phase, done: p.done, total: p.total } });
      },
    });
    const pruned = this.pruneRoots(vault);
    this.emitStats();
    return {
      added: summary.added, updated: summary.updated + summary.renamed, removed: summary.removed + pruned, unchanged: summary.unchanged,
      skipped: summary.skipped.length, ms: Math.round(performance.now() - t), cancelled: signal.aborted,
    };
  }

  /**
   * Folders no longer in the workspace leave the vault with their notes (documents, chunks and the
   * full-text rows cascade from roots). Returns the notes removed.
   */
  private pruneRoots(vault: Vault): number {
    const keep = new Set(this.roots.map((r) => resolve(r)));
    const stale = vault.db.all('SELECT id, path FROM roots').filter((r) => !keep.has(String(r.path)));
    if (stale.length === 0) return 0;
    let notes = 0;
    vault.db.transaction(() => {
      for (const r of stale) {
        notes += Number(vault.db.get('SELECT count(*) AS n FROM documents WHERE root_id = ?', [r.id])?.n ?? 0);
        vault.db.run('DELETE FROM roots WHERE id = ?', [r.id]);
      }
    });
    this.log('info', `removed ${stale.length} folder(s) no longer in the workspace (${notes} notes)`);
    return notes;
  }

  /** Maps an absolute path to its root and relative path, or undefined outside every root. */
  private locate(abs: string): { root: string; rel: string } | undefined {
    for (const root of this.roots) {
      const rel = relative(root, abs);
      if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return { root, rel: rel.split(sep).join('/') };
    }
    return undefined;
  }

  private accepts(root: string, rel: string): boolean {
    return this.filters.get(root)?.accepts(rel) ?? false;
  }

  private async applyChanges(changes: FileChange[]): Promise<ChangesResult> {
    const vault = this.requireVault();
    if (this.readOnly) return { applied: 0, ignored: changes.length };
    let applied = 0;
    let ignored = 0;
    for (const c of changes) {
      const at = this.locate(c.path);
      if (!isNote(c.path) && !(c.from && isNote(c.from)) && (c.kind === 'deleted' || c.kind === 'renamed')) {
        // A folder: its notes go (deleted) or move with it (renamed).
        const n = this.applyFolderChange(vault, c);
        if (n > 0) applied += n;
        else ignored++;
        continue;
      }
      if (c.kind === 'renamed' && c.from) {
        const from = this.locate(c.from);
        if (at && from && at.root === from.root && this.accepts(at.root, at.rel)) {
          vault.renameFile(at.root, from.rel, at.rel);
          applied++;
          continue;
        }
        if (from) vault.removeFile(from.root, from.rel);
      }
      if (!at) { ignored++; continue; }
      if (c.kind === 'deleted') {
        vault.removeFile(at.root, at.rel);
        applied++;
      } else if (this.accepts(at.root, at.rel)) {
        vault.updateFile(at.root, at.rel);
        applied++;
      } else {
        ignored++;
      }
    }
    if (applied > 0) this.emitStats();
    return { applied, ignored };
  }

  /** Notes the vault holds under a folder of a root (relative paths). */
  private notesUnder(vault: Vault, root: string, relDir: string): string[] {
    const rows = vault.db.all(
      'SELECT d.path AS path FROM documents d JOIN roots r ON r.id = d.root_id WHERE r.path = ? AND substr(d.path, 1, length(?) + 1) = ? || \'/\'',
      [resolve(root), relDir, relDir],
    );
    return rows.map((r) => String(r.path));
  }

  private applyFolderChange(vault: Vault, c: FileChange): number {
    const from = this.locate(c.kind === 'renamed' && c.from ? c.from : c.path);
    if (!from) return 0;
    const to = c.kind === 'renamed' ? this.locate(c.path) : undefined;
    let n = 0;
    for (const rel of this.notesUnder(vault, from.root, from.rel)) {
      const moved = to && to.root === from.root ? to.rel + rel.slice(from.rel.length) : undefined;
      if (moved && this.accepts(to!.root, moved)) vault.renameFile(from.root, rel, moved);
      else vault.removeFile(from.root, rel);
      n++;
    }
    return n;
  }

  private async search(query: string, mode: 'lexical' | 'hybrid', limit: number, embedding: QueryEmbedding | undefined, filter: SearchFilter, signal: AbortSignal): Promise<SearchResult> {
    const vault = this.requireVault();
    const t = performance.now();
    let embedError: string | undefined;
    if (mode === 'hybrid' && !embedding && query.trim() && this.app) {
      try {
        embedding = await this.app.embedQuery(query, signal);
      } catch (err) {
        if (signal.aborted) throw new CancelledError();
        embedError = `The query could not be embedded (${errorInfo(err).message}): showing full-text results.`;
      }
      if (signal.aborted) throw new CancelledError();
    }
    const done = (items: SearchResultItem[], used: 'lexical' | 'hybrid', fallbackReason?: string): SearchResult =>
      ({ items, mode: used, fallbackReason: embedError ?? fallbackReason, ms: Math.round((performance.now() - t) * 10) / 10 });
    if (!query.trim()) return done([], mode);
    const markers = [SNIPPET_OPEN, SNIPPET_CLOSE] as const;
    const scope = { pathPrefix: filter.pathPrefix, tag: filter.tag, roots: filter.roots };
    if (mode === 'hybrid' && embedding) {
      // Full text and the model's vectors fused by reciprocal rank.
      this.retriever ??= new Retriever(vault.db, {
        searchLexical: (q, o) => vault.searchLexical(q, { ...o, prefixLast: true, snippetMarkers: markers }),
      }, this.app?.vectors ?? new VectorIndexCache(vault.db), new EmbeddingStore(vault.db));
      const r = await this.retriever.retrieve(query, { mode: 'hybrid', limit, queryVector: embedding.vector, modelKey: embedding.modelKey, perFileCap: 3, ...scope });
      const items = r.items.map((c) => ({
        chunkId: c.chunkId, root: c.root, path: c.path, title: c.title, heading: c.heading,
        startLine: c.startLine, endLine: c.endLine, score: c.score, snippet: c.snippet,
      }));
      return done(items, r.mode === 'hybrid' ? 'hybrid' : 'lexical', r.fallbackReason ?? undefined);
    }
    const hits = vault.searchLexical(query, { limit, prefixLast: true, snippetMarkers: markers, ...scope });
    const items = hits.map((h) => ({
      chunkId: h.chunkId, root: h.root, path: h.path, title: h.title, heading: h.heading,
      startLine: h.startLine, endLine: h.endLine, score: h.score, snippet: h.snippet,
    }));
    return done(items, 'lexical', mode === 'hybrid' ? 'No embedding model is loaded, so semantic search is off: showing full-text results.' : undefined);
  }

  private stats(): VaultStats {
    const vault = this.requireVault();
    const s = vault.stats();
    // Coverage of the active embedding model only (vectors of a model the user switched away from
    // must not count towards the new model's), kept by the database: constant time at any size.
    const embedded = new EmbeddingStore(vault.db).activeCoverage()?.embedded ?? 0;
    return { files: s.files, chunks: s.chunks, skipped: s.skipped, embedded, dbBytes: s.dbBytes };
  }

  private emitStats(): void {
    if (!this.wants('stats')) return;
    try {
      this.publish({ topic: 'stats', stats: this.stats() });
    } catch (err) {
      this.log('warn', `stats failed: ${errorInfo(err).message}`);
    }
  }

  /** Calls an allow-listed method (validateHostMessage refused any other) of a composed service. */
  private async callService(name: string, method: string, args: unknown[]): Promise<unknown> {
    this.requireVault();
    const svc = this.app?.services[name as keyof AppGraph['services']] as Record<string, unknown> | undefined;
    const fn = svc?.[method];
    if (typeof fn !== 'function') throw new Error(`unknown method ${name}.${method}`);
    return await (fn as (...a: unknown[]) => unknown).apply(svc, args);
  }

  /**
   * Closes the vault: running answers and the backfill end and are stored, the engine process
   * exits, then the database closes (releasing its owner lock). Resolves when all of that is done.
   */
  private async close(): Promise<{ closed: true }> {
    for (const a of this.aborts.values()) a.abort();
    const app = this.app;
    this.app = undefined;
    await app?.dispose().catch((err: unknown) => this.log('warn', `stopping the vault's services failed: ${errorInfo(err).message}`));
    this.retriever = undefined;
    this.vault?.close();
    this.vault = undefined;
    return { closed: true };
  }
}
