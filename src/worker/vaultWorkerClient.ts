// The host-thread side of the vault worker: starts dist/vault-worker.js in a worker thread,
// correlates requests and responses by id, forwards cancellation, gives up on a request that takes
// longer than its limit (protocol.ts lists them), and delivers subscribed events.
// Plain Node (no `vscode`), so the same client is usable from tests and the CLI.
import { Worker } from 'node:worker_threads';
import {
  REQUEST_TIMEOUTS, serviceTimeout,
  type EventTopic, type HostMessage, type IndexProgress, type MethodName, type RequestKind, type RequestOf, type ResultOf, type ServiceArgs,
  type ServiceName, type ServiceResult, type WorkerErrorInfo, type WorkerEvent, type WorkerMessage, type WorkerRequest,
} from './protocol';

export class VaultWorkerError extends Error {
  constructor(message: string, readonly code: WorkerErrorInfo['code']) {
    super(message);
    this.name = 'VaultWorkerError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (p: IndexProgress) => void;
  cleanup(): void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  /** Overrides the request's limit from protocol.ts (ms; null: none). */
  timeoutMs?: number | null;
}

type Listener<T> = (value: T) => void;

/** How long dispose() waits for the vault to close (its services, the engine process, the database). */
const CLOSE_WAIT_MS = 15_000;

export class VaultWorkerClient {
  private readonly worker: Worker;
  /** The worker's thread id, kept for after it ended (the Worker reports -1 then). */
  readonly threadId: number;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private readonly subscriptions = new Map<number, Listener<WorkerEvent>>();
  private readonly exitListeners = new Set<Listener<number>>();

  constructor(workerFile: string) {
    this.worker = new Worker(workerFile);
    this.threadId = this.worker.threadId;
    this.worker.on('message', (msg: WorkerMessage) => this.onMessage(msg));
    this.worker.on('error', (err) => this.failAll(new VaultWorkerError(`vault worker failed: ${err.message}`, 'error')));
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.failAll(new VaultWorkerError(`vault worker exited (code ${code})`, 'closed'));
      for (const l of this.exitListeners) l(code);
    });
  }

  get isRunning(): boolean {
    return !this.exited;
  }

  request<K extends RequestKind>(request: RequestOf<K>, opts: RequestOptions = {}): Promise<ResultOf<K>> {
    if (this.exited) return Promise.reject(new VaultWorkerError('vault worker is not running', 'closed'));
    if (opts.signal?.aborted) return Promise.reject(new VaultWorkerError('cancelled', 'cancelled'));
    const id = this.nextId++;
    const req: WorkerRequest = request;
    const what = req.kind === 'service' ? `${req.service}.${req.method}` : req.kind;
    const limit = opts.timeoutMs !== undefined ? opts.timeoutMs
      : req.kind === 'service' ? serviceTimeout(req.service, req.method) ?? null
      : REQUEST_TIMEOUTS[req.kind];
    return new Promise<ResultOf<K>>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // An index is limited by the time between its progress reports, everything else in total.
      const arm = (): void => {
        if (limit === null) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          const p = this.pending.get(id);
          if (!p) return;
          this.pending.delete(id);
          p.cleanup();
          this.post({ type: 'cancel', id });
          const took = limit < 1000 ? `${limit} ms` : `${Math.round(limit / 1000)} s`;
          reject(new VaultWorkerError(
            request.kind === 'index'
              ? `Indexing made no progress for ${took} and was stopped. Run "Codex Vault: Index Workspace" to try again; if it keeps happening, see the log.`
              : `The vault worker did not answer ${what} within ${took}, so it was given up. Try again; if it keeps happening, reload the window.`,
            'timeout',
          ));
        }, limit);
      };
      const onAbort = (): void => this.post({ type: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: (p) => {
          if (request.kind === 'index') arm();
          opts.onProgress?.(p);
        },
        cleanup: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      });
      arm();
      this.post({ type: 'request', id, request });
    });
  }

  /** Calls an allow-listed method of a service living in the worker (see SERVICE_METHODS in protocol.ts). */
  async call<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, ...args: ServiceArgs<S, M>): Promise<ServiceResult<S, M>> {
    return (await this.request({ kind: 'service', service, method, args: args as unknown[] })) as ServiceResult<S, M>;
  }

  /**
   * Streams the worker's events of `topics` to `listener` until the returned function is called.
   * Events are those that happen after the subscription reaches the worker (messages keep their order).
   */
  subscribe(topics: readonly EventTopic[], listener: Listener<WorkerEvent>): () => void {
    const id = this.nextId++;
    this.subscriptions.set(id, listener);
    this.post({ type: 'subscribe', id, topics: [...topics] });
    return () => {
      if (!this.subscriptions.delete(id)) return;
      if (!this.exited) this.post({ type: 'unsubscribe', id });
    };
  }

  onExit(l: Listener<number>): () => void {
    this.exitListeners.add(l);
    return () => this.exitListeners.delete(l);
  }

  /**
   * Closes the vault and ends the thread. Resolves after the vault's services have stopped (the
   * engine process has exited) and the database is closed, or after CLOSE_WAIT_MS at most.
   */
  async dispose(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request({ kind: 'close' }, { timeoutMs: CLOSE_WAIT_MS });
    } catch {
      // The worker may already be gone or stuck; terminating below is all that is left to do.
    }
    this.subscriptions.clear();
    await this.worker.terminate();
  }

  private post(msg: HostMessage): void {
    if (!this.exited) this.worker.postMessage(msg);
  }

  private onMessage(msg: WorkerMessage): void {
    switch (msg.type) {
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        p.cleanup();
        if (msg.ok) p.resolve(msg.result);
        else p.reject(new VaultWorkerError(msg.error.message, msg.error.code));
        return;
      }
      case 'progress':
        this.pending.get(msg.id)?.onProgress?.(msg.progress);
        return;
      case 'event':
        this.subscriptions.get(msg.subscription)?.(msg.event);
        return;
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) {
      p.cleanup();
      p.reject(err);
    }
    this.pending.clear();
  }
}
