// Single-file updates for a file watcher: a saved, deleted or renamed note is applied at once,
// each in its own small transaction, without a scan.
import { realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isInside } from '../scan/scanner';
import type { VaultStore } from '../store/vaultStore';
import type { ScannedFile } from '../types';
import type { Indexer } from './indexer';
import { chunkTitle, decodeAndParse, readFile, toDocumentRecord } from './prepareFile';
import type { FileUpdateResult } from './types';

/**
 * A path inside a root as the vault stores it: relative, forward slashes, no '.' or '..'
 * segments. Paths come from watchers and messages, so anything that could escape the root is refused.
 */
export function normalizeRelPath(relPath: string): string {
  const parts = relPath.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..') || /^[a-zA-Z]:/.test(relPath) || relPath.startsWith('/')) {
    throw new Error(`"${relPath}" is not a path inside the folder (it must be relative, without "..").`);
  }
  return parts.join('/');
}

/** The limits of live updates: those of the last full index. */
export interface LiveLimits {
  maxFileBytes: number;
  maxChunkChars?: number;
  /** Real paths a symbolic link may lead into (the roots of the last index); undefined: the file's own root. */
  realRoots?: readonly string[];
  /** Follow links out of the roots too (see ScanOptions.followExternalSymlinks). */
  followExternalSymlinks?: boolean;
}

export class LiveUpdates {
  constructor(private readonly indexer: Indexer, private readonly store: VaultStore) {}

  /** Re-reads one file and updates its note (or removes it when the file is gone or now skipped). */
  updateFile(root: string, relPath: string, opts: LiveLimits): FileUpdateResult {
    const path = normalizeRelPath(relPath);
    const absPath = join(root, ...path.split('/'));
    let st;
    try {
      st = statSync(absPath);
    } catch {
      return this.removeFile(root, path);
    }
    const rootId = this.indexer.write(() => this.store.ensureRoot(root));
    const existing = this.indexer.read(() => this.store.document(rootId, path));
    const file: ScannedFile = { root, path, absPath, size: st.size, mtimeMs: st.mtimeMs };
    const outside = opts.followExternalSymlinks ? undefined : this.outsideRoots(root, absPath, opts.realRoots);
    if (outside) {
      // The scanner's rule for a saved file too: a link (of the file or a folder above it) out of the indexed folders is not read.
      this.indexer.write(() => {
        if (existing) this.store.deleteDocument(existing.id);
        this.store.setSkipped(rootId, { root, path, reason: 'external-symlink', detail: `${path} leads to ${outside}, outside the indexed folders; not followed` });
      });
      return 'skipped';
    }
    if (!st.isFile()) {
      this.indexer.write(() => {
        if (existing) this.store.deleteDocument(existing.id);
        this.store.setSkipped(rootId, { root, path, reason: 'not-a-file', detail: 'not a regular file' });
      });
      return 'skipped';
    }
    if (existing && existing.size === st.size && existing.mtimeMs === st.mtimeMs) return 'unchanged';
    const read = readFile(file, opts.maxFileBytes);
    if (!read.ok) {
      this.indexer.write(() => {
        if (existing) this.store.deleteDocument(existing.id);
        this.store.setSkipped(rootId, read.skipped);
      });
      return 'skipped';
    }
    if (existing && existing.hash === read.hash) {
      this.indexer.write(() => this.store.touchDocument(existing.id, read.size, st.mtimeMs));
      return 'unchanged';
    }
    const parsed = decodeAndParse(file, read.bytes, opts.maxChunkChars);
    if (!parsed.ok) {
      this.indexer.write(() => {
        if (existing) this.store.deleteDocument(existing.id);
        this.store.setSkipped(rootId, parsed.skipped);
      });
      return 'skipped';
    }
    const record = toDocumentRecord(file, read.size, read.hash, parsed.note);
    this.indexer.write(() => {
      this.store.clearSkipped(rootId, path);
      if (existing) this.store.replaceDocument(existing.id, record);
      else this.store.insertDocument(rootId, record);
    });
    return existing ? 'updated' : 'added';
  }

  /** The real path of `absPath` when it lies outside every allowed root (through a symbolic link), else undefined. */
  private outsideRoots(root: string, absPath: string, realRoots: readonly string[] | undefined): string | undefined {
    let real: string;
    let roots: readonly string[];
    try {
      real = realpathSync(absPath);
      roots = realRoots ?? [realpathSync(root)];
    } catch {
      return undefined; // gone meanwhile: the read below reports it
    }
    return isInside(real, roots) ? undefined : real;
  }

  removeFile(root: string, relPath: string): FileUpdateResult {
    const path = normalizeRelPath(relPath);
    const rootId = this.indexer.read(() => this.store.rootId(root));
    if (rootId === undefined) return 'absent';
    const existing = this.indexer.read(() => this.store.document(rootId, path));
    this.indexer.write(() => {
      if (existing) this.store.deleteDocument(existing.id);
      this.store.clearSkipped(rootId, path);
    });
    return existing ? 'removed' : 'absent';
  }

  /**
   * A file moved within a root. Its note keeps its id and chunks; if the content changed too,
   * the edit is applied after the move.
   */
  renameFile(root: string, from: string, to: string, opts: LiveLimits): FileUpdateResult {
    const fromPath = normalizeRelPath(from);
    const toPath = normalizeRelPath(to);
    if (fromPath === toPath) return this.updateFile(root, toPath, opts);
    const rootId = this.indexer.write(() => this.store.ensureRoot(root));
    const source = this.indexer.read(() => this.store.document(rootId, fromPath));
    if (!source) return this.updateFile(root, toPath, opts);
    const target = this.indexer.read(() => this.store.document(rootId, toPath));
    this.indexer.write(() => {
      // Renamed over an existing note: that note is replaced by the moved one.
      if (target) this.store.deleteDocument(target.id);
      this.store.clearSkipped(rootId, fromPath);
      // Keep the old size/mtime: updateFile below then compares the file on disk with what was indexed.
      this.store.renameDocument(source.id, toPath, source.size, source.mtimeMs);
    });
    const r = this.updateFile(root, toPath, opts);
    if (r === 'unchanged') this.refreshTitle(root, rootId, source.id, toPath, opts);
    return r === 'unchanged' || r === 'updated' ? 'renamed' : r;
  }

  /** A title taken from the file name follows the rename. */
  private refreshTitle(root: string, rootId: number, docId: number, path: string, opts: LiveLimits): void {
    const absPath = join(root, ...path.split('/'));
    const doc = this.indexer.read(() => this.store.document(rootId, path));
    if (!doc) return;
    const read = readFile({ root, path, absPath, size: doc.size, mtimeMs: doc.mtimeMs }, opts.maxFileBytes);
    if (!read.ok) return;
    const parsed = decodeAndParse({ root, path }, read.bytes, opts.maxChunkChars);
    if (!parsed.ok || parsed.note.title === doc.title) return;
    this.indexer.write(() => this.store.renameDocument(docId, path, doc.size, doc.mtimeMs, { title: parsed.note.title, chunkTitle: chunkTitle(parsed.note) }));
  }
}

