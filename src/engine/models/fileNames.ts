// File names that come from manifests (the default one, a user's file, settings) end up as paths
// in the models folder. A hostile or careless manifest must not be able to write anywhere else,
// hide a file, or produce a name some platform treats specially, so names are plain GGUF file
// names only. Split GGUF shards follow llama.cpp's `<stem>-00001-of-00003.gguf` convention.
import { isAbsolute, join, resolve, sep } from 'node:path';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const SHARD = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
const MAX_NAME_BYTES = 200; // leaves room for ".part.json" within common 255-byte limits

/** Why `name` is not an acceptable model file name, or undefined when it is. */
export function fileNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is empty';
  if (name.includes('/') || name.includes('\\')) return 'must be a plain file name, without "/" or "\\"';
  if (name === '.' || name === '..' || name.includes('..')) return 'must not contain ".."';
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name)) return 'must not be an absolute path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  if (/[<>:"|?*]/.test(name)) return 'must not contain any of < > : " | ? *';
  if (name.startsWith('.')) return 'must not start with "."';
  if (/[. ]$/.test(name)) return 'must not end with "." or a space';
  if (name.trim() !== name) return 'must not start or end with spaces';
  if (WINDOWS_RESERVED.test(name)) return 'is a reserved device name on Windows';
  if (!/\.gguf$/i.test(name)) return 'must end with ".gguf"';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

export class UnsafeFileNameError extends Error {
  constructor(readonly fileName: string, problem: string) {
    super(`Model file name ${JSON.stringify(fileName)} ${problem}.`);
    this.name = 'UnsafeFileNameError';
  }
}

/** The absolute path of `name` inside `dir`, after checking the name (throws UnsafeFileNameError). */
export function modelPath(dir: string, name: string): string {
  const problem = fileNameProblem(name);
  if (problem) throw new UnsafeFileNameError(name, problem);
  const root = resolve(dir);
  const full = join(root, name);
  // Belt and braces: whatever the checks above missed, the result must sit directly in `dir`.
  if (!full.startsWith(root + sep) || full.slice(root.length + 1).includes(sep)) throw new UnsafeFileNameError(name, 'escapes the models folder');
  return full;
}

export interface ShardName {
  stem: string;
  index: number;
  count: number;
}

/** Parses a split-GGUF shard name (`x-00002-of-00003.gguf`), or undefined for a single file. */
export function parseShardName(name: string): ShardName | undefined {
  const m = SHARD.exec(name);
  if (!m) return undefined;
  return { stem: m[1]!, index: Number(m[2]), count: Number(m[3]) };
}

export function partPath(file: string): string {
  return `${file}.part`;
}

export function sidecarPath(file: string): string {
  return `${file}.part.json`;
}
