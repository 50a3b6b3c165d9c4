// The indexer's public shapes: options, progress events and the summary of a run.
import type { SkippedFile } from '../types';

export type IndexPhase = 'scanning' | 'indexing' | 'removing' | 'done';

export interface IndexProgress {
  phase: IndexPhase;
  /** Files handled so far in this phase (scanning: files seen). */
  done: number;
  /** Files to handle in this phase (0 while scanning: not known yet). */
  total: number;
}

export interface IndexOptions {
  /** Globs (relative to each root) of files to index; default: Markdown files. */
  include?: string[];
  /** Globs to leave out, on top of .gitignore rules. */
  exclude?: string[];
  /** Files larger than this are skipped and reported (default 2 MiB). */
  maxFileBytes?: number;
  /** Passed to the chunker. */
  maxChunkChars?: number;
  /** Follow symbolic links out of the indexed folders (default false: skipped, with the reason). */
  followExternalSymlinks?: boolean;
  /** Files written per transaction (default 200). */
  batchSize?: number;
  /**
   * Read and parse files in a worker thread while this one writes (default: when 400 or more
   * files changed and there is more than one CPU; false: never; true: always).
   */
  prepareInWorker?: boolean;
  /**
   * Write the chunks without their hash index and build it once at the end (default: when 1000
   * or more files changed and at least as many as the vault holds, e.g. a first index).
   */
  bulkLoad?: boolean;
  signal?: AbortSignal;
  onProgress?(progress: IndexProgress): void;
}

export interface IndexSummary {
  /** Files whose content was (re)indexed: added + updated. */
  indexed: number;
  added: number;
  updated: number;
  /** Files found under a new path with unchanged content: path updated, chunks kept. */
  renamed: number;
  /** Files unchanged since the last run (by size and mtime, or by content hash). */
  unchanged: number;
  /** Files gone from disk (or now skipped) whose notes were removed from the vault. */
  removed: number;
  /** Files passed over, each with its reason. */
  skipped: SkippedFile[];
  /** Chunks written (inserted or changed) by this run. */
  chunks: number;
  /** The vault after the run. */
  totalFiles: number;
  totalChunks: number;
  seconds: number;
}

export type FileUpdateResult = 'added' | 'updated' | 'unchanged' | 'renamed' | 'removed' | 'skipped' | 'absent';
