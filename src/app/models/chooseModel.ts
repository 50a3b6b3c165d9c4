// Which model answers (or embeds): the user's setting when it names a usable model, else (for chat
// only) the loaded chat model, else the first verified one. A model is usable when it is verified
// or loaded. Local files added without a role count for chat (GGUF files of unknown purpose are
// most often chat models; the embedding model is always chosen explicitly).
import type { ModelItem } from './modelsTypes';

export type Role = 'chat' | 'embedding';

export function usable(m: ModelItem): boolean {
  return m.state === 'verified' || m.state === 'loaded';
}

export function fitsRole(m: ModelItem, role: Role): boolean {
  return m.role === role || (role === 'chat' && m.role === null && m.source === 'local');
}

/** Matches a setting value: a manifest id, a model id ('local:<path>'), or a file path. */
function matches(m: ModelItem, setting: string): boolean {
  return m.id === setting || m.path === setting || m.id === `local:${setting}`;
}

export function chooseModel(models: readonly ModelItem[], role: Role, setting: string): ModelItem | null {
  const s = setting.trim();
  if (s) {
    const named = models.find((m) => matches(m, s));
    if (named && usable(named) && (fitsRole(named, role) || named.role === null)) return named;
    if (role === 'embedding') return null;
  }
  if (role === 'embedding') return null;
  const candidates = models.filter((m) => fitsRole(m, role) && usable(m));
  return candidates.find((m) => m.state === 'loaded') ?? candidates[0] ?? null;
}

/** The model a setting names, whatever its state (null when it names none). */
export function namedModel(models: readonly ModelItem[], setting: string): ModelItem | null {
  const s = setting.trim();
  return s ? models.find((m) => matches(m, s)) ?? null : null;
}

/**
 * A local file the setting names that was never hashed: it is added and verified on first use
 * (naming a file in settings is choosing it), then used.
 */
export function verifiedOnFirstUse(models: readonly ModelItem[], role: Role, setting: string): ModelItem | null {
  const m = namedModel(models, setting);
  return m && m.source === 'local' && m.state === 'unverified' && (m.role === role || m.role === null) ? m : null;
}

/** Models of `role` the user has and can use now. */
export function availableModels(models: readonly ModelItem[], role: Role): ModelItem[] {
  return models.filter((m) => fitsRole(m, role) && usable(m));
}

/** Manifest models of `role` that are not on disk yet (or only partly): what can be downloaded. */
export function offeredModels(models: readonly ModelItem[], role: Role): ModelItem[] {
  return models.filter((m) => m.source === 'manifest' && m.role === role && (m.state === 'not-downloaded' || m.state === 'partial' || m.state === 'downloading'));
}
