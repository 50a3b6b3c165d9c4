// The host-thread side of the vault worker: starts dist/vault-worker.js in a worker thread,
// correlates requests and responses by id, forwards cancellation, and fans out events.
// Plain Node (no `vscode`), so the same client is usable from tests and the CLI.
import { Worker } from 'node:worker_threads';
import type {
  HostMessage, IndexProgress, MethodName, RequestKind, RequestOf, ResultOf, ServiceArgs, ServiceName, ServiceResult,
  VaultStats, WorkerErrorInfo, WorkerMessage,
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
}

type Listener<T> = (value: T) => void;

export class VaultWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private readonly statsListeners = new Set<Listener<VaultStats>>();
  private readonly logListeners = new Set<Listener<{ level: string; message: string }>>();
  private readonly exitListeners = new Set<Listener<number>>();

  constructor(workerFile: string) {
    this.worker = new Worker(workerFile);
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
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const onAbort = (): void => this.post({ type: 'cancel', id });
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      });
      this.post({ type: 'request', id, request });
    });
  }

  /** Calls a method of a feature store living in the worker (see WorkerServices in protocol.ts). */
  async call<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, ...args: ServiceArgs<S, M>): Promise<ServiceResult<S, M>> {
    return (await this.request({ kind: 'service', service, method, args: args as unknown[] })) as ServiceResult<S, M>;
  }

  onStats(l: Listener<VaultStats>): () => void {
    this.statsListeners.add(l);
    return () => this.statsListeners.delete(l);
  }

  onLog(l: Listener<{ level: string; message: string }>): () => void {
    this.logListeners.add(l);
    return () => this.logListeners.delete(l);
  }

  onExit(l: Listener<number>): () => void {
    this.exitListeners.add(l);
    return () => this.exitListeners.delete(l);
  }

  /** Closes the vault (releasing its owner lock) and ends the thread. */
  async dispose(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.request({ kind: 'close' }), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // The worker may already be gone; terminating below is all that is left to do.
    }
    await this.worker.terminate();
  }

  private post(msg: HostMessage): void {
    this.worker.postMessage(msg);
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
      case 'stats':
        for (const l of this.statsListeners) l(msg.stats);
        return;
      case 'log':
        for (const l of this.logListeners) l({ level: msg.level, message: msg.message });
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
