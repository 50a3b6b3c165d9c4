// Include / exclude globs (picomatch), matched against root-relative paths with forward slashes.
import picomatch from 'picomatch';

/**
 * Markdown files by default. `.mdx` is left out on purpose: it mixes JSX and ES imports into
 * the prose, which would be indexed as noise; add '**\/*.mdx' to `include` to take it anyway.
 */
export const DEFAULT_INCLUDE: readonly string[] = ['**/*.md', '**/*.markdown'];
/** Replaced (not extended) by a caller's `exclude`; spread it in to keep it. `.git` is always skipped. */
export const DEFAULT_EXCLUDE: readonly string[] = ['**/node_modules/**'];

export interface GlobRules {
  /** A file path is wanted: included and not excluded. */
  wantsFile(rel: string): boolean;
  /** A folder is excluded as a whole (not entered at all). */
  excludesDir(rel: string): boolean;
}

export function compileGlobs(include: readonly string[] | undefined, exclude: readonly string[] | undefined): GlobRules {
  const inc = compile(include ?? DEFAULT_INCLUDE, 'include', true);
  const exc = compile(exclude ?? DEFAULT_EXCLUDE, 'exclude', false);
  return {
    wantsFile: (rel) => inc(rel) && !exc(rel),
    // picomatch lets `dir/**` match `dir` itself, so an exclude like `drafts/**` prunes the folder.
    excludesDir: (rel) => exc(rel),
  };
}

function compile(patterns: readonly string[], what: string, nocase: boolean): (rel: string) => boolean {
  if (!Array.isArray(patterns)) throw new TypeError(`${what} globs must be an array of strings`);
  if (patterns.length === 0) return () => false;
  for (const p of patterns) {
    if (typeof p !== 'string' || p.trim() === '') throw new TypeError(`${what} glob ${JSON.stringify(p)} is not a non-empty string`);
  }
  try {
    // dot: notes under dot-folders (.github/, .notes/) count; extensions match in any case (README.MD).
    return picomatch([...patterns], { dot: true, nocase });
  } catch (err) {
    throw new TypeError(`invalid ${what} glob in ${JSON.stringify(patterns)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
