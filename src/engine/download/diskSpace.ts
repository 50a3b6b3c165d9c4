// Free-space check before a download starts, so a multi-GB model does not fail at 95% with ENOSPC.
import { statfs } from 'node:fs/promises';
import { DownloadError } from './errors';

/** Keep this much free beyond the download itself: the disk is shared with everything else. */
export const DISK_MARGIN_BYTES = 256 * 1024 * 1024;

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

/** Throws DownloadError('disk') when `needed` bytes (plus the margin) will not fit in `dir`. */
export async function ensureFreeSpace(dir: string, needed: number, margin = DISK_MARGIN_BYTES): Promise<void> {
  if (needed <= 0) return;
  const free = await freeBytes(dir);
  if (free < needed + margin) {
    throw new DownloadError('disk', `Not enough disk space in ${dir}: the download needs ${formatBytes(needed)} (plus ${formatBytes(margin)} to spare), ${formatBytes(free)} is free.`);
  }
}
