// Locations arrive in webview messages and command: URI arguments, so they are checked before a
// file is opened: the root must be one of this window's workspace folders and the path must stay
// inside it (no absolute paths, no ".."). Plain Node, so unit tests can exercise it.
import * as path from 'node:path';
import type { Location } from '../protocol/chatProtocol';

export class LocationError extends Error {}

/** The absolute file a location names, or a LocationError saying why it is refused. */
export function resolveLocation(loc: Location, folders: readonly string[]): string {
  const root = folders.find((f) => path.resolve(f) === path.resolve(loc.root));
  if (!root) throw new LocationError(`${loc.root} is not a folder of this workspace`);
  if (path.isAbsolute(loc.path) || loc.path.split(/[\\/]/).includes('..')) throw new LocationError(`${loc.path} is not a path inside ${root}`);
  const file = path.resolve(root, loc.path);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new LocationError(`${loc.path} is not a path inside ${root}`);
  if (loc.endLine < loc.startLine) throw new LocationError(`lines ${loc.startLine}-${loc.endLine} are reversed`);
  return file;
}
