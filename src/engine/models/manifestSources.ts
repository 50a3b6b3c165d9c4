// Where manifest entries come from, in order of precedence (later wins for the same id):
// the default manifest shipped with Codex Vault, entries from settings, and a user's manifest file.
// A broken user manifest does not hide the default models: its problems are returned beside them.
import { readFile } from 'node:fs/promises';
import defaultManifestJson from './defaultManifest.json';
import { ManifestError, parseManifest, validateManifest } from './manifestValidate';
import { MANIFEST_VERSION, type ManifestModel, type ModelManifest } from './manifestTypes';

export type ManifestOrigin = 'default' | 'settings' | 'file';

export interface SourcedModel {
  model: ManifestModel;
  origin: ManifestOrigin;
  /** The manifest file for origin 'file'. */
  originPath?: string;
  /** True when this entry replaced one with the same id from an earlier source. */
  overrides?: ManifestOrigin;
}

export interface MergedManifests {
  models: SourcedModel[];
  /** Problems with user manifests (each a ManifestError message); the default is always valid. */
  problems: string[];
}

/** The manifest shipped with Codex Vault (validated like any other: a test keeps it valid). */
export function defaultManifest(): ModelManifest {
  return validateManifest(defaultManifestJson, 'default manifest');
}

export async function loadManifestFile(file: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseManifest(text, file);
}

/** Settings hold an array of model entries (the `models` of a manifest). */
export function manifestFromSettings(entries: unknown): ModelManifest {
  return validateManifest({ version: MANIFEST_VERSION, models: entries }, 'settings codexVault.extraModels');
}

export interface ManifestInputs {
  includeDefault?: boolean;
  settingsEntries?: unknown;
  manifestFile?: string;
}

export async function mergeManifests(inputs: ManifestInputs): Promise<MergedManifests> {
  const byId = new Map<string, SourcedModel>();
  const problems: string[] = [];
  const add = (m: ModelManifest, origin: ManifestOrigin, originPath?: string): void => {
    for (const model of m.models) {
      const prev = byId.get(model.id);
      byId.set(model.id, { model, origin, ...(originPath ? { originPath } : {}), ...(prev ? { overrides: prev.origin } : {}) });
    }
  };
  if (inputs.includeDefault !== false) add(defaultManifest(), 'default');
  if (inputs.settingsEntries !== undefined && !(Array.isArray(inputs.settingsEntries) && inputs.settingsEntries.length === 0)) {
    try {
      add(manifestFromSettings(inputs.settingsEntries), 'settings');
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (inputs.manifestFile) {
    try {
      add(await loadManifestFile(inputs.manifestFile), 'file', inputs.manifestFile);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  // Two sources may each be valid yet name one file with different bytes: the later one loses.
  const files = new Map<string, { sha256: string; id: string }>();
  const models: SourcedModel[] = [];
  for (const s of byId.values()) {
    const clash = s.model.files.find((f) => {
      const seen = files.get(f.name.toLowerCase());
      return seen && seen.sha256 !== f.sha256;
    });
    if (clash) {
      problems.push(`Model ${JSON.stringify(s.model.id)} (${s.origin}) was skipped: its file ${JSON.stringify(clash.name)} has a different SHA-256 than the same file of ${JSON.stringify(files.get(clash.name.toLowerCase())!.id)}.`);
      continue;
    }
    for (const f of s.model.files) files.set(f.name.toLowerCase(), { sha256: f.sha256, id: s.model.id });
    models.push(s);
  }
  return { models, problems };
}
