// The incremental indexer: brings the vault in line with the files on disk, doing only the work
// that changed.
//
// - unchanged files are recognised by (size, mtime) without reading them, then by content hash;
// - a file that vanished from one path while a file with the same hash appeared at another is a
//   rename: the document row gets the new path and keeps its chunks (and their ids);
// - edited files keep the ids of chunks whose text did not change;
// - writes go in transactions of `batchSize` files, so a kill -9 loses at most the batch in
//   flight (SQLite rolls it back), and the next run picks up where this one stopped;
// - on a large run, files are read and parsed in a worker thread a batch ahead of the writes,
//   each batch's full-text rows are written by one statement, and a bulk load builds the
//   chunks(hash) index once at the end (10k notes: ~4 s instead of ~9-13 s; see README).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SqliteDatabase } from '../db/sqlite';
import { scanRoots } from '../scan/scanner';
import { retryWhileLocked } from '../store/busy';
import type { DocumentRecord, DocumentRow } from '../store/rows';
import type { VaultStore } from '../store/vaultStore';
import type { ScannedFile, SkippedFile } from '../types';
import { chunkTitle, DEFAULT_MAX_FILE_BYTES, prepareFile, type PreparedFile } from './prepareFile';
import { PrepareWorker } from './prepareWorker';
import type { IndexOptions, IndexProgress, IndexSummary } from './types';

type Step =
  | { kind: 'touch'; docId: number; size: number; mtimeMs: number }
  | { kind: 'rename'; docId: number; path: string; size: number; mtimeMs: number; title?: { title: string; chunkTitle: string } }
  | { kind: 'insert'; rootId: number; record: DocumentRecord }
  | { kind: 'replace'; docId: number; record: DocumentRecord }
  | { kind: 'skip'; rootId: number; skipped: SkippedFile; deleteDocId?: number };

interface Work {
  file: ScannedFile;
  rootId: number;
  existing: DocumentRow | undefined;
}

/** From this many changed files on (and at least as many as the vault holds), a run is a bulk load. */
const BULK_MIN_FILES = 1000;

/** Below this many changed files, preparing them on this thread beats starting a worker. */
const PARALLEL_MIN_FILES = 400;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const err = new Error('Indexing was cancelled.');
  err.name = 'AbortError';
  return err;
}

export class Indexer {
  constructor(private readonly db: SqliteDatabase, private readonly store: VaultStore) {}

  /** Runs `fn` in one write transaction, waiting out a reader's momentary lock. */
  write<T>(fn: () => T): T {
    return retryWhileLocked(() => this.db.transaction(fn));
  }

  /** Runs a read, waiting out another process's momentary lock (a reader holds it too). */
  read<T>(fn: () => T): T {
    return retryWhileLocked(fn);
  }

  async indexRoots(rootPaths: readonly string[], opts: IndexOptions = {}): Promise<IndexSummary> {
    const t0 = performance.now();
    const signal = opts.signal;
    const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const batchSize = Math.max(1, opts.batchSize ?? 200);
    const progress = (p: IndexProgress): void => opts.onProgress?.(p);
    const check = (): void => {
      if (signal?.aborted) throw abortError(signal);
    };
    const roots = [...new Set(rootPaths.map((r) => resolve(r)))];
    if (roots.length === 0) throw new Error('No folder to index was given.');

    check();
    const rootIds = new Map<string, number>();
    this.write(() => {
      for (const r of roots) rootIds.set(r, this.store.ensureRoot(r));
    });

    progress({ phase: 'scanning', done: 0, total: 0 });
    const scan = await scanRoots(roots, {
      include: opts.include,
      exclude: opts.exclude,
      maxFileBytes,
      followExternalSymlinks: opts.followExternalSymlinks,
      signal,
      onProgress: (seen) => progress({ phase: 'scanning', done: seen, total: 0 }),
    });
    check();

    // What the vault holds now, and which of it the scan no longer found (removal or rename
    // source). A file the scan skipped (e.g. grown over the size limit) is not "seen": its old note goes.
    const existing = new Map<number, Map<string, DocumentRow>>();
    for (const id of rootIds.values()) existing.set(id, this.read(() => this.store.documentsOfRoot(id)));
    const seen = new Map<number, Set<string>>([...rootIds.values()].map((id) => [id, new Set<string>()]));
    const skipped: SkippedFile[] = [...scan.skipped];

    const summary: IndexSummary = { indexed: 0, added: 0, updated: 0, renamed: 0, unchanged: 0, removed: 0, skipped, chunks: 0, totalFiles: 0, totalChunks: 0, seconds: 0 };
    const work: Work[] = [];
    for (const file of scan.files) {
      const rootId = rootIds.get(resolve(file.root));
      if (rootId === undefined) continue;
      seen.get(rootId)!.add(file.path);
      const doc = existing.get(rootId)!.get(file.path);
      if (doc && doc.size === file.size && doc.mtimeMs === file.mtimeMs) summary.unchanged++;
      else work.push({ file, rootId, existing: doc });
    }
    // Documents not seen at their path: renamed (matched by hash below) or removed (at the end).
    const missingByHash = new Map<string, DocumentRow[]>();
    const missing = new Map<number, DocumentRow>();
    for (const [rootId, docs] of existing) {
      const seenHere = seen.get(rootId)!;
      for (const doc of docs.values()) {
        if (seenHere.has(doc.path)) continue;
        missing.set(doc.id, doc);
        const key = `${rootId}:${doc.hash}`;
        const list = missingByHash.get(key);
        if (list) list.push(doc);
        else missingByHash.set(key, [doc]);
      }
    }

    const total = scan.files.length;
    let done = summary.unchanged;
    progress({ phase: 'indexing', done, total });
    const batches: Work[][] = [];
    for (let i = 0; i < work.length; i += batchSize) batches.push(work.slice(i, i + batchSize));
    const maxChunkChars = opts.maxChunkChars;
    // A bulk load (a first index, or more changed files than the vault holds) writes chunks
    // without the chunks(hash) index and builds it once at the end (see VaultStore.dropChunkHashIndex).
    let bulk = work.length > 0 && (opts.bulkLoad ?? (work.length >= BULK_MIN_FILES && work.length >= this.read(() => this.store.counts().files)));
    let hashIndexDropped = false;
    // With enough work to pay for starting a thread (~50 ms), files are read and parsed in the
    // prepare worker, the next batch while this thread writes the current one.
    let worker = work.length > 0 && (opts.prepareInWorker ?? (work.length >= PARALLEL_MIN_FILES && availableParallelism() > 1)) ? PrepareWorker.start() : undefined;
    const inline = (batch: readonly Work[]): PreparedFile[] => batch.map((w) => prepareFile(w.file, w.existing?.hash, maxFileBytes, maxChunkChars));
    const request = (batch: readonly Work[] | undefined): Promise<PreparedFile[]> | undefined =>
      batch && worker?.prepare(batch.map((w) => ({ file: w.file, knownHash: w.existing?.hash })), maxFileBytes, maxChunkChars);
    try {
      // Two batches in flight: the worker always has the next one while this thread writes.
      const ahead: (Promise<PreparedFile[]> | undefined)[] = [request(batches[0]), request(batches[1])];
      // A batch nobody awaits any more (cancelled run) must not become an unhandled rejection.
      for (const p of ahead) p?.catch(() => undefined);
      for (let b = 0; b < batches.length; b++) {
        check();
        const batch = batches[b]!;
        let prepared: PreparedFile[];
        const pending = ahead.shift();
        if (pending) {
          try {
            prepared = await pending;
          } catch {
            // The worker failed: this thread prepares the rest itself.
            await worker?.close();
            worker = undefined;
            ahead.length = 0;
            prepared = inline(batch);
          }
          check();
        } else {
          prepared = inline(batch);
        }
        const next = request(batches[b + 2]);
        next?.catch(() => undefined);
        ahead.push(next);
        const steps = this.plan(batch, prepared, missingByHash, missing);
        const chunks = this.write(() => {
          if (bulk) this.store.dropChunkHashIndex();
          return this.store.withBatchedFts(() => this.apply(steps));
        });
        if (bulk) {
          bulk = false;
          hashIndexDropped = true;
        }
        summary.chunks += chunks;
        for (const s of steps) {
          if (s.kind === 'touch') summary.unchanged++;
          else if (s.kind === 'rename') summary.renamed++;
          else if (s.kind === 'insert') summary.added++;
          else if (s.kind === 'replace') summary.updated++;
          else {
            skipped.push(s.skipped);
            if (s.deleteDocId !== undefined) summary.removed++;
          }
        }
        done += steps.length;
        progress({ phase: 'indexing', done, total });
        // Let cancellation and progress listeners run between batches.
        await yieldToLoop();
      }
    } finally {
      await worker?.close();
      if (hashIndexDropped) {
        try {
          this.write(() => this.store.ensureChunkHashIndex());
        } catch {
          // Not fatal (lookups by hash are only slower); the next open for writing builds it.
        }
      }
    }

    const gone = [...missing.values()];
    progress({ phase: 'removing', done: 0, total: gone.length });
    for (let i = 0; i < gone.length; i += batchSize * 5) {
      check();
      const batch = gone.slice(i, i + batchSize * 5);
      this.write(() => {
        for (const d of batch) this.store.deleteDocument(d.id);
      });
      summary.removed += batch.length;
      progress({ phase: 'removing', done: Math.min(i + batch.length, gone.length), total: gone.length });
      await yieldToLoop();
    }

    check();
    this.write(() => {
      for (const [root, id] of rootIds) this.store.replaceSkipped(id, skipped.filter((s) => resolve(s.root) === root));
    });
    summary.indexed = summary.added + summary.updated;
    const counts = this.read(() => this.store.counts());
    summary.totalFiles = counts.files;
    summary.totalChunks = counts.chunks;
    summary.seconds = (performance.now() - t0) / 1000;
    progress({ phase: 'done', done: total, total });
    return summary;
  }

  /** Decides what each prepared file of a batch needs (renames matched by hash). No database writes. */
  private plan(batch: readonly Work[], prepared: readonly PreparedFile[], missingByHash: Map<string, DocumentRow[]>, missing: Map<number, DocumentRow>): Step[] {
    const steps: Step[] = [];
    batch.forEach(({ file, rootId, existing }, i) => {
      const p = prepared[i]!;
      if (p.kind === 'skip') {
        steps.push({ kind: 'skip', rootId, skipped: p.skipped, deleteDocId: existing?.id });
        return;
      }
      if (p.kind === 'same') {
        // Only asked for with the stored hash, so the note exists.
        steps.push({ kind: 'touch', docId: existing!.id, size: p.size, mtimeMs: file.mtimeMs });
        return;
      }
      const record = p.record;
      if (!existing) {
        const source = missingByHash.get(`${rootId}:${record.hash}`)?.shift();
        if (source) {
          missing.delete(source.id);
          const title = record.title !== source.title ? { title: record.title, chunkTitle: chunkTitle(record) } : undefined;
          steps.push({ kind: 'rename', docId: source.id, path: file.path, size: record.size, mtimeMs: file.mtimeMs, title });
          return;
        }
      }
      steps.push(existing ? { kind: 'replace', docId: existing.id, record } : { kind: 'insert', rootId, record });
    });
    return steps;
  }

  /** Writes a planned batch; runs inside one transaction. Returns chunks written. */
  private apply(steps: readonly Step[]): number {
    let chunks = 0;
    const now = Date.now();
    for (const s of steps) {
      switch (s.kind) {
        case 'touch':
          this.store.touchDocument(s.docId, s.size, s.mtimeMs);
          break;
        case 'rename':
          this.store.renameDocument(s.docId, s.path, s.size, s.mtimeMs, s.title);
          break;
        case 'insert':
          this.store.insertDocument(s.rootId, s.record, now);
          chunks += s.record.chunks.length;
          break;
        case 'replace':
          chunks += this.store.replaceDocument(s.docId, s.record, now);
          break;
        case 'skip':
          if (s.deleteDocId !== undefined) this.store.deleteDocument(s.deleteDocId);
          break;
      }
    }
    return chunks;
  }
}
