// Validates a manifest (parsed JSON of unknown shape) against the v1 format and returns a typed
// ModelManifest, or throws ManifestError listing every problem with its location
// (`models[1].files[0].sha256: ...`), so a user fixing their file sees all mistakes at once.
// manifest.schema.json describes the same format for editors; a test keeps the two in step.
import { isSha256Hex } from '../checksum';
import { fileNameProblem, parseShardName } from './fileNames';
import { MANIFEST_VERSION, type ManifestFile, type ManifestModel, type ModelManifest, type ModelRole } from './manifestTypes';

export class ManifestError extends Error {
  constructor(readonly source: string, readonly issues: string[]) {
    super(`Invalid model manifest (${source}): ${issues.join('; ')}`);
    this.name = 'ManifestError';
  }
}

const ID = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const MODEL_KEYS = new Set(['id', 'name', 'role', 'quantization', 'contextLength', 'embeddingDimension', 'license', 'description', 'architecture', 'provenance', 'files']);
const FILE_KEYS = new Set(['name', 'size', 'sha256', 'urls']);
const TOP_KEYS = new Set(['$schema', 'version', 'models', 'comment']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

class Issues {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(path ? `${path}: ${msg}` : msg);
  }
}

function unknownKeys(o: Obj, allowed: Set<string>, path: string, issues: Issues): void {
  for (const k of Object.keys(o)) if (!allowed.has(k)) issues.add(path, `unknown property ${JSON.stringify(k)}`);
}

function str(o: Obj, key: string, path: string, issues: Issues, opts: { optional?: boolean; max?: number } = {}): string | undefined {
  const v = o[key];
  if (v === undefined) {
    if (!opts.optional) issues.add(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') {
    issues.add(`${path}.${key}`, `must be a non-empty string, got ${show(v)}`);
    return undefined;
  }
  if (opts.max !== undefined && v.length > opts.max) {
    issues.add(`${path}.${key}`, `must be at most ${opts.max} characters`);
    return undefined;
  }
  return v;
}

function posInt(o: Obj, key: string, path: string, issues: Issues, optional = false): number | undefined {
  const v = o[key];
  if (v === undefined) {
    if (!optional) issues.add(`${path}.${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    issues.add(`${path}.${key}`, `must be a positive integer, got ${show(v)}`);
    return undefined;
  }
  return v;
}

function checkUrl(u: unknown, path: string, issues: Issues): string | undefined {
  if (typeof u !== 'string') {
    issues.add(path, `must be a URL string, got ${show(u)}`);
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    issues.add(path, `is not a valid URL: ${show(u)}`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    issues.add(path, `must be an http or https URL, got ${show(url.protocol)}`);
    return undefined;
  }
  // Credentials in a shared manifest would leak to every user and every log line.
  if (url.username || url.password) {
    issues.add(path, 'must not contain a user name or password');
    return undefined;
  }
  return u;
}

function validateFile(v: unknown, path: string, issues: Issues): ManifestFile | undefined {
  if (!isObj(v)) {
    issues.add(path, `must be an object, got ${show(v)}`);
    return undefined;
  }
  unknownKeys(v, FILE_KEYS, path, issues);
  const before = issues.list.length;
  const name = str(v, 'name', path, issues);
  if (name !== undefined) {
    const problem = fileNameProblem(name);
    if (problem) issues.add(`${path}.name`, `${show(name)} ${problem}`);
  }
  const size = posInt(v, 'size', path, issues);
  let sha256: string | undefined;
  if (v.sha256 === undefined) issues.add(`${path}.sha256`, 'is required (a model without a known checksum cannot be verified)');
  else if (typeof v.sha256 !== 'string' || !isSha256Hex(v.sha256)) issues.add(`${path}.sha256`, `must be 64 hexadecimal characters, got ${show(v.sha256)}`);
  else sha256 = v.sha256.toLowerCase();
  const urls: string[] = [];
  if (!Array.isArray(v.urls) || v.urls.length === 0) issues.add(`${path}.urls`, 'must be a non-empty array of URLs');
  else v.urls.forEach((u, i) => {
    const ok = checkUrl(u, `${path}.urls[${i}]`, issues);
    if (ok) urls.push(ok);
  });
  if (issues.list.length > before || name === undefined || size === undefined || sha256 === undefined) return undefined;
  return { name, size, sha256, urls };
}

function validateModel(v: unknown, path: string, issues: Issues): ManifestModel | undefined {
  if (!isObj(v)) {
    issues.add(path, `must be an object, got ${show(v)}`);
    return undefined;
  }
  unknownKeys(v, MODEL_KEYS, path, issues);
  const before = issues.list.length;
  const id = str(v, 'id', path, issues);
  if (id !== undefined && !ID.test(id)) issues.add(`${path}.id`, `must be 1-80 characters of a-z 0-9 . _ - starting with a letter or digit, got ${show(id)}`);
  const name = str(v, 'name', path, issues, { max: 200 });
  let role: ModelRole | undefined;
  if (v.role === undefined) issues.add(`${path}.role`, 'is required');
  else if (v.role !== 'chat' && v.role !== 'embedding') issues.add(`${path}.role`, `must be "chat" or "embedding", got ${show(v.role)}`);
  else role = v.role;
  const quantization = str(v, 'quantization', path, issues, { max: 40 });
  const contextLength = posInt(v, 'contextLength', path, issues);
  const embeddingDimension = posInt(v, 'embeddingDimension', path, issues, true);
  if (role === 'embedding' && v.embeddingDimension === undefined) issues.add(`${path}.embeddingDimension`, 'is required for an embedding model');
  if (role === 'chat' && v.embeddingDimension !== undefined) issues.add(`${path}.embeddingDimension`, 'is only for embedding models');
  const license = str(v, 'license', path, issues, { max: 200 });
  const description = str(v, 'description', path, issues, { max: 2000 });
  const architecture = str(v, 'architecture', path, issues, { optional: true, max: 80 });
  const provenance = str(v, 'provenance', path, issues, { optional: true, max: 4000 });
  const files: ManifestFile[] = [];
  if (!Array.isArray(v.files) || v.files.length === 0) issues.add(`${path}.files`, 'must be a non-empty array');
  else v.files.forEach((f, i) => {
    const file = validateFile(f, `${path}.files[${i}]`, issues);
    if (file) files.push(file);
  });
  if (files.length === (Array.isArray(v.files) ? v.files.length : -1)) checkShards(files, `${path}.files`, issues);
  if (issues.list.length > before || !id || !name || !role || !quantization || !contextLength || !license || !description) return undefined;
  const model: ManifestModel = { id, name, role, quantization, contextLength, license, description, files };
  if (embeddingDimension !== undefined) model.embeddingDimension = embeddingDimension;
  if (architecture !== undefined) model.architecture = architecture;
  if (provenance !== undefined) model.provenance = provenance;
  return model;
}

/** Split shards must be complete, in order, of one stem: llama.cpp loads part 1 and finds the rest beside it. */
function checkShards(files: ManifestFile[], path: string, issues: Issues): void {
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) issues.add(path, `file ${show(f.name)} is listed twice`);
    names.add(f.name);
  }
  const shards = files.map((f) => parseShardName(f.name));
  if (files.length === 1) {
    const s = shards[0];
    if (s && s.count !== 1) issues.add(path, `${show(files[0]!.name)} is part 1 of ${s.count}: list all ${s.count} parts`);
    return;
  }
  if (shards.some((s) => s === undefined)) {
    issues.add(path, 'a model of several files must list split GGUF parts named <name>-00001-of-0000N.gguf');
    return;
  }
  const first = shards[0]!;
  shards.forEach((s, i) => {
    if (s!.stem !== first.stem || s!.count !== files.length || s!.index !== i + 1) issues.add(`${path}[${i}].name`, `expected part ${i + 1} of ${files.length} of ${show(first.stem)}, got ${show(files[i]!.name)}`);
  });
}

/** Validates parsed JSON. `source` names the manifest in messages (a file path, "settings", ...). */
export function validateManifest(value: unknown, source: string): ModelManifest {
  const issues = new Issues();
  if (!isObj(value)) throw new ManifestError(source, [`the manifest must be a JSON object, got ${show(value)}`]);
  unknownKeys(value, TOP_KEYS, '', issues);
  if (value.version === undefined) issues.add('version', `is required (use ${MANIFEST_VERSION})`);
  else if (value.version !== MANIFEST_VERSION) issues.add('version', `unsupported manifest version ${show(value.version)} (this Codex Vault reads version ${MANIFEST_VERSION})`);
  const models: ManifestModel[] = [];
  if (!Array.isArray(value.models)) issues.add('models', 'must be an array');
  else value.models.forEach((m, i) => {
    const model = validateModel(m, `models[${i}]`, issues);
    if (model) models.push(model);
  });
  checkAcrossModels(models, issues);
  if (issues.list.length > 0) throw new ManifestError(source, issues.list);
  return { version: MANIFEST_VERSION, models };
}

/** Ids are unique; one file name means one set of bytes (two models may share a file only if identical). */
function checkAcrossModels(models: ManifestModel[], issues: Issues): void {
  const ids = new Set<string>();
  const files = new Map<string, { sha256: string; size: number; id: string }>();
  for (const m of models) {
    if (ids.has(m.id)) issues.add('models', `duplicate model id ${show(m.id)}`);
    ids.add(m.id);
    for (const f of m.files) {
      const seen = files.get(f.name.toLowerCase());
      if (seen && (seen.sha256 !== f.sha256 || seen.size !== f.size)) issues.add('models', `file ${show(f.name)} of ${show(m.id)} has a different size or SHA-256 than the same file of ${show(seen.id)}`);
      else if (!seen) files.set(f.name.toLowerCase(), { sha256: f.sha256, size: f.size, id: m.id });
    }
  }
}

/** Parses and validates manifest text; JSON syntax errors become ManifestErrors too. */
export function parseManifest(text: string, source: string): ModelManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(source, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return validateManifest(value, source);
}
