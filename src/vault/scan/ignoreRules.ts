// .gitignore semantics via the `ignore` package. Each .gitignore applies to its own folder's
// subtree with paths relative to that folder; a deeper file's matching rule (ignore or `!`
// re-include) wins over a shallower one, as in git. A folder that is ignored is never entered,
// which is also git's rule that nothing inside an excluded folder can be re-included.
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export interface IgnoreLevel {
  ig: Ignore;
  /** Root-relative folder this level applies to, with a trailing '/' ('' for the root and above). */
  under: string;
  /** Prepended to the path below `under`: the root's path as seen from a .gitignore above the root. */
  above: string;
}

export type IgnoreStack = readonly IgnoreLevel[];

// git matches case-insensitively where the file system does (core.ignorecase).
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

export function rulesFrom(text: string): Ignore {
  return ignore({ ignorecase: IGNORE_CASE }).add(text);
}

/** Whether `rel` (root-relative; folders tested with a trailing '/') is ignored. */
export function isIgnored(stack: IgnoreStack, rel: string): boolean {
  let ignored = false;
  for (const level of stack) {
    if (level.under && !rel.startsWith(level.under)) continue;
    let r: { ignored: boolean; unignored: boolean };
    try {
      r = level.ig.test(level.above + rel.slice(level.under.length));
    } catch {
      continue; // `ignore` throws on paths it deems invalid (e.g. '..'): such a path matches no rule
    }
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

export async function readIgnoreFile(file: string): Promise<Ignore | undefined> {
  try {
    return rulesFrom(await readFile(file, 'utf8'));
  } catch {
    return undefined; // missing or unreadable: no rules from it
  }
}

export function readIgnoreFileSync(file: string): Ignore | undefined {
  try {
    return rulesFrom(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The rules that apply to a root from outside it: when the root is inside a git repository,
 * the repository's .git/info/exclude and the .gitignore files of the folders from the
 * repository top down to the root's parent. (The root's own .gitignore is read by the walk.)
 */
export async function outerLevels(root: string): Promise<IgnoreLevel[]> {
  const chain: string[] = [];
  let dir = root;
  let top: string | undefined;
  for (;;) {
    chain.push(dir);
    if (await exists(join(dir, '.git'))) {
      top = dir;
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!top) return [];
  const levels: IgnoreLevel[] = [];
  const toRoot = (from: string): string => {
    const r = relative(from, root).split(sep).join('/');
    return r ? `${r}/` : '';
  };
  const exclude = await readIgnoreFile(join(top, '.git', 'info', 'exclude'));
  if (exclude) levels.push({ ig: exclude, under: '', above: toRoot(top) });
  // chain runs root .. top; the folders strictly above the root, outermost first.
  for (const d of chain.slice(1).reverse()) {
    const ig = await readIgnoreFile(join(d, '.gitignore'));
    if (ig) levels.push({ ig, under: '', above: toRoot(d) });
  }
  return levels;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
