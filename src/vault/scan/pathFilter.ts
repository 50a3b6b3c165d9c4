// The scanner's rules for one path at a time, for file-watcher events: the same include and
// exclude globs, `.git` skipped, and every .gitignore that applies — those above the root in
// its git repository and those in each folder between the root and the path.
import { join, resolve } from 'node:path';
import type { Ignore } from 'ignore';
import { compileGlobs } from './globs';
import { isIgnored, outerLevels, readIgnoreFileSync, type IgnoreLevel } from './ignoreRules';

export interface PathFilterOptions {
  include?: string[];
  exclude?: string[];
}

export interface PathFilter {
  readonly root: string;
  /** Whether the scanner would index this root-relative path (forward or back slashes). */
  accepts(relPath: string): boolean;
  /**
   * Forget the cached .gitignore rules (all, or those of one root-relative folder) — call it
   * when a watcher reports a .gitignore created, changed or deleted.
   */
  invalidate(relDir?: string): void;
}

export async function createPathFilter(root: string, opts: PathFilterOptions = {}): Promise<PathFilter> {
  const absRoot = resolve(root);
  const globs = compileGlobs(opts.include, opts.exclude);
  const outer = await outerLevels(absRoot);
  // Folder ('' = root) -> its .gitignore rules, or null when it has none. Read lazily, on
  // first need, synchronously: accepts() answers at once and each file is read only once.
  const cache = new Map<string, Ignore | null>();
  const rulesOf = (dir: string): Ignore | null => {
    let ig = cache.get(dir);
    if (ig === undefined) {
      ig = readIgnoreFileSync(join(absRoot, dir, '.gitignore')) ?? null;
      cache.set(dir, ig);
    }
    return ig;
  };
  return {
    root: absRoot,
    accepts(relPath: string): boolean {
      const rel = relPath.replace(/\\/g, '/').replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
      if (!rel) return false;
      const parts = rel.split('/');
      if (parts.some((p) => p === '' || p === '.' || p === '..' || p === '.git')) return false;
      const stack: IgnoreLevel[] = [...outer];
      let dir = '';
      // Walk down as the scanner does: a folder that is excluded or ignored hides everything in it.
      for (let i = 0; i < parts.length - 1; i++) {
        const ig = rulesOf(dir);
        if (ig) stack.push({ ig, under: dir ? `${dir}/` : '', above: '' });
        dir = dir ? `${dir}/${parts[i]}` : parts[i]!;
        if (globs.excludesDir(dir) || isIgnored(stack, `${dir}/`)) return false;
      }
      const ig = rulesOf(dir);
      if (ig) stack.push({ ig, under: dir ? `${dir}/` : '', above: '' });
      return globs.wantsFile(rel) && !isIgnored(stack, rel);
    },
    invalidate(relDir?: string): void {
      if (relDir === undefined) cache.clear();
      else cache.delete(relDir.replace(/\\/g, '/').replace(/^\.?\/+|\/+$/g, ''));
    },
  };
}
