// Workspace scanning: which note files exist under each root, with size and mtime from stat.
// It never reads note contents (the indexer reads and decodes only files that changed), so a
// re-scan of an unchanged vault is just directory listings and stats.
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { ScannedFile, SkippedFile, SkipReason } from '../types';
import { formatBytes } from './formatBytes';
import { compileGlobs, type GlobRules } from './globs';
import { isIgnored, outerLevels, readIgnoreFile, type IgnoreStack } from './ignoreRules';

export { createPathFilter, type PathFilter, type PathFilterOptions } from './pathFilter';
export { DEFAULT_EXCLUDE, DEFAULT_INCLUDE } from './globs';

export interface ScanOptions {
  /** Globs for files to index, relative to each root. Default DEFAULT_INCLUDE (*.md, *.markdown). */
  include?: string[];
  /** Globs to leave out (files, or whole folders with `dir/**`). Default DEFAULT_EXCLUDE (node_modules). */
  exclude?: string[];
  /** Larger files are skipped with reason 'too-large'. Default 2 MiB. */
  maxFileBytes?: number;
  /**
   * Follow symbolic links (to files or folders) whose target lies outside every root being
   * scanned. Default false: such links are skipped with reason 'external-symlink', so that a note
   * `outside.md -> /etc/passwd` in a cloned repository is never read.
   */
  followExternalSymlinks?: boolean;
  signal?: AbortSignal;
  /** Called now and then with the number of candidate files found so far, and once at the end. */
  onProgress?(seen: number): void;
}

export interface ScanResult {
  /** Sorted by root (in the order given), then path. */
  files: ScannedFile[];
  skipped: SkippedFile[];
}

export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Stats in flight at once: enough to keep libuv's thread pool busy without flooding it. */
const STAT_CONCURRENCY = 32;
const PROGRESS_EVERY = 250;

interface Candidate {
  rel: string;
  abs: string;
  /** Already known when the entry was a symlink (stat followed it). */
  stats?: Stats;
}

/**
 * Scans every root (multi-root workspaces) and returns the note files found and the ones
 * skipped with a reason. Problems with single files or folders are reported, never thrown;
 * it throws only for invalid options or when `signal` aborts (with the signal's reason).
 */
export async function scanRoots(roots: string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(maxFileBytes > 0)) throw new RangeError(`maxFileBytes must be a positive number of bytes, got ${maxFileBytes}`);
  const globs = compileGlobs(opts.include, opts.exclude);
  const result: ScanResult = { files: [], skipped: [] };
  const uniqueRoots = [...new Set(roots.map((r) => resolve(r)))];
  // Where a link may lead: into any root of this scan (their real paths), unless all are allowed.
  const realRoots: string[] = [];
  for (const r of uniqueRoots) {
    try {
      realRoots.push(await realpath(r));
    } catch {
      // reported below, when the root is scanned
    }
  }
  const linkAllowed = opts.followExternalSymlinks ? (): boolean => true : (real: string): boolean => isInside(real, realRoots);
  let seen = 0;
  const progress = (n: number): void => {
    const before = seen;
    seen += n;
    if (opts.onProgress && Math.floor(before / PROGRESS_EVERY) !== Math.floor(seen / PROGRESS_EVERY)) opts.onProgress(seen);
  };
  for (const root of uniqueRoots) {
    opts.signal?.throwIfAborted();
    const skipped: SkippedFile[] = [];
    const skip = (path: string, reason: SkipReason, detail: string): void => {
      skipped.push({ root, path, reason, detail });
    };
    let rootReal: string;
    try {
      rootReal = await realpath(root);
      if (!(await stat(rootReal)).isDirectory()) {
        result.skipped.push({ root, path: '', reason: 'not-a-file', detail: `${root} is not a folder` });
        continue;
      }
    } catch (err) {
      result.skipped.push({ root, path: '', reason: 'unreadable', detail: `cannot open the folder ${root}: ${errorText(err)}` });
      continue;
    }
    const candidates: Candidate[] = [];
    const walker = new Walker(root, globs, opts.signal, skip, (c) => {
      candidates.push(c);
      progress(1);
    }, linkAllowed);
    await walker.walk(root, '', await outerLevels(root), [rootReal]);
    const files = await statAll(candidates, root, maxFileBytes, skip, opts.signal);
    // Sorted so that results do not depend on the order stats completed in.
    result.files.push(...files.sort(byPath));
    result.skipped.push(...skipped.sort(byPath));
  }
  opts.onProgress?.(seen);
  return result;
}

/** Whether the real path `real` is one of `roots` or inside one. */
export function isInside(real: string, roots: readonly string[]): boolean {
  return roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

class Walker {
  constructor(
    private readonly root: string,
    private readonly globs: GlobRules,
    private readonly signal: AbortSignal | undefined,
    private readonly skip: (path: string, reason: SkipReason, detail: string) => void,
    private readonly found: (c: Candidate) => void,
    /** Whether a symbolic link whose target has this real path may be followed. */
    private readonly linkAllowed: (real: string) => boolean,
  ) {}

  /** `ancestors`: real paths of the folders from the root down to this one, for loop detection. */
  async walk(abs: string, rel: string, inherited: IgnoreStack, ancestors: string[]): Promise<void> {
    this.signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      this.skip(rel, 'unreadable', `cannot list the folder ${rel || this.root}: ${errorText(err)}`);
      return;
    }
    let stack = inherited;
    if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
      const ig = await readIgnoreFile(join(abs, '.gitignore'));
      if (ig) stack = [...inherited, { ig, under: rel ? `${rel}/` : '', above: '' }];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const parentReal = ancestors[ancestors.length - 1]!;
    for (const e of entries) {
      if (e.name === '.git') continue; // a repository's internals are never notes
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = join(abs, e.name);
      let kind = direntKind(e);
      let linkStats: Stats | undefined;
      if (kind === 'unknown') kind = await lstatKind(childAbs);
      let linkReal: string | undefined;
      if (kind === 'symlink') {
        try {
          linkStats = await stat(childAbs);
          kind = linkStats.isDirectory() ? 'dir' : linkStats.isFile() ? 'file' : 'other';
          linkReal = await realpath(childAbs);
        } catch (err) {
          // A dangling link or a cycle of links: report it only if it would have been a note.
          if (this.wanted(childRel, stack)) {
            const code = errorCode(err);
            if (code === 'ELOOP') this.skip(childRel, 'symlink-loop', `the symbolic link ${childRel} resolves to itself through a cycle of links`);
            else this.skip(childRel, 'unreadable', `the symbolic link ${childRel} cannot be followed: ${errorText(err)}`);
          }
          continue;
        }
        if (!this.linkAllowed(linkReal)) {
          // Reported when it would have been a note, or is a folder that could hold notes.
          const folder = kind === 'dir';
          if (folder ? !(this.globs.excludesDir(childRel) || isIgnored(stack, `${childRel}/`)) : this.wanted(childRel, stack)) {
            this.skip(childRel, 'external-symlink', `the symbolic link ${childRel} leads to ${linkReal}, outside the indexed folders; not followed (allow with codexVault.followExternalSymlinks or --follow-external-symlinks)`);
          }
          continue;
        }
      }
      if (kind === 'dir') {
        if (this.globs.excludesDir(childRel) || isIgnored(stack, `${childRel}/`)) continue;
        let real = join(parentReal, e.name);
        if (linkStats) {
          real = linkReal!;
          if (ancestors.includes(real)) {
            this.skip(childRel, 'symlink-loop', `the folder link ${childRel} points back to ${real}, which contains it; not followed`);
            continue;
          }
        }
        await this.walk(childAbs, childRel, stack, [...ancestors, real]);
      } else if (this.wanted(childRel, stack)) {
        if (kind === 'file') this.found(linkStats ? { rel: childRel, abs: childAbs, stats: linkStats } : { rel: childRel, abs: childAbs });
        else this.skip(childRel, 'not-a-file', `${childRel} is ${linkStats ? 'a link to a special file' : describeKind(e)}, not a regular file`);
      }
    }
  }

  private wanted(rel: string, stack: IgnoreStack): boolean {
    return this.globs.wantsFile(rel) && !isIgnored(stack, rel);
  }
}

type Kind = 'file' | 'dir' | 'symlink' | 'other' | 'unknown';

function direntKind(e: Dirent): Kind {
  if (e.isFile()) return 'file';
  if (e.isDirectory()) return 'dir';
  if (e.isSymbolicLink()) return 'symlink';
  if (e.isFIFO() || e.isSocket() || e.isBlockDevice() || e.isCharacterDevice()) return 'other';
  return 'unknown'; // some file systems do not report entry types
}

async function lstatKind(abs: string): Promise<Kind> {
  try {
    const s = await lstat(abs);
    return s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'symlink' : 'other';
  } catch {
    return 'other';
  }
}

function describeKind(e: Dirent): string {
  if (e.isFIFO()) return 'a named pipe (FIFO)';
  if (e.isSocket()) return 'a socket';
  if (e.isBlockDevice() || e.isCharacterDevice()) return 'a device';
  return 'a special file';
}

async function statAll(
  candidates: Candidate[],
  root: string,
  maxFileBytes: number,
  skip: (path: string, reason: SkipReason, detail: string) => void,
  signal: AbortSignal | undefined,
): Promise<ScannedFile[]> {
  const files: ScannedFile[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      signal?.throwIfAborted();
      const c = candidates[next++]!;
      let s = c.stats;
      if (!s) {
        try {
          s = await stat(c.abs);
        } catch (err) {
          skip(c.rel, 'unreadable', `cannot stat ${c.rel}: ${errorText(err)}`);
          continue;
        }
      }
      if (!s.isFile()) skip(c.rel, 'not-a-file', `${c.rel} is no longer a regular file`);
      else if (cannotRead(s)) skip(c.rel, 'unreadable', `${c.rel} is not readable by this user (permission denied)`);
      else if (s.size > maxFileBytes) skip(c.rel, 'too-large', `${formatBytes(s.size)} is over the ${formatBytes(maxFileBytes)} limit`);
      else files.push({ root, path: c.rel, absPath: c.abs, size: s.size, mtimeMs: s.mtimeMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, candidates.length) }, worker));
  return files;
}

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * A file this process surely cannot open, told from the stat it already has (no extra system
 * call per file): no read bit at all, or we own it and the owner may not read. Other cases
 * (group, ACLs) are left to the reader, which reports them. Root reads everything.
 */
function cannotRead(s: Stats): boolean {
  if (uid === undefined || uid === 0) return false;
  return (s.mode & 0o444) === 0 || (s.uid === uid && (s.mode & 0o400) === 0);
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function errorText(err: unknown): string {
  const code = errorCode(err);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it does not exist (or its target is missing)';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return err instanceof Error ? err.message : String(err);
}
