// A path prefix as a model gives it back to codexVault_search, in the form the tools show paths
// (notePaths.ts displayPath: relative to the workspace folder; in a multi-root workspace after the
// folder's name), turned into what the vault filters on: which roots, and a prefix of the paths
// stored relative to them. A result's path starts with the prefix exactly when its displayed path does.
import { normalizePathPrefix } from '../vault/search/lexicalSearch';

export interface NamedFolder {
  /** The workspace folder's name, as displayed paths start with it. */
  name: string;
  /** Its absolute path, as the vault stores the root. */
  root: string;
}

export interface VaultScope {
  /** Only these roots (absent: every root). */
  roots?: string[];
  /** Prefix of the path relative to the root (absent: the whole root). */
  pathPrefix?: string;
}

/**
 * The vault scope of a displayed-path prefix, or null when no displayed path can start with it (a
 * multi-root prefix that names no folder). With one folder (or none) paths are shown as stored, so
 * the prefix goes as it is. Where folder names nest ("a" and "a/b"), the longest name the prefix
 * walks into wins.
 */
export function vaultScopeOf(prefix: string, folders: readonly NamedFolder[]): VaultScope | null {
  const p = normalizePathPrefix(prefix.trim());
  if (!p) return {};
  if (folders.length <= 1) return { pathPrefix: p };
  let inside: NamedFolder[] = [];
  let longest = -1;
  const partly: string[] = [];
  for (const f of folders) {
    const head = `${f.name}/`;
    if (p.startsWith(head)) {
      if (head.length > longest) [inside, longest] = [[f], head.length];
      else if (head.length === longest) inside.push(f);
    } else if (head.startsWith(p)) {
      // "not" or "notes-a" of "notes-a/...": every note of the folder.
      partly.push(f.root);
    }
  }
  if (inside.length > 0) {
    const rest = p.slice(longest);
    return rest ? { roots: inside.map((f) => f.root), pathPrefix: rest } : { roots: [...inside.map((f) => f.root), ...partly] };
  }
  return partly.length > 0 ? { roots: partly } : null;
}
