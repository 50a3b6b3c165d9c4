// Damaging a real database file the way the hostile run did: pages overwritten in place.
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { openDatabase } from '../../src/vault/db/openDatabase';
import { rng } from './rng';

const PAGE = 4096;

/** The page numbers of the named tables and indexes (SQLite's dbstat), read while the file is whole. */
export function pagesOf(file: string, names: readonly string[]): number[] {
  const o = openDatabase(file, { readOnly: true });
  try {
    return o.db.all<{ pageno: number }>(`SELECT pageno FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')})`, [...names]).map((r) => Number(r.pageno));
  } finally {
    o.close();
  }
}

/** Overwrites each page with random bytes from `seed` (or with `fill`). */
export function overwritePages(file: string, pages: Iterable<number>, opts: { seed?: number; fill?: number } = {}): void {
  const r = rng(opts.seed ?? 1);
  const fd = openSync(file, 'r+');
  try {
    for (const p of pages) {
      const bytes = opts.fill !== undefined ? Buffer.alloc(PAGE, opts.fill) : Buffer.from(Array.from({ length: PAGE }, () => Math.floor(r() * 256)));
      writeSync(fd, bytes, 0, PAGE, (p - 1) * PAGE);
    }
  } finally {
    closeSync(fd);
  }
}

/** `count` distinct random pages of the file (never page 1, nor those in `spare`). */
export function randomPages(file: string, count: number, seed: number, spare: ReadonlySet<number> = new Set()): number[] {
  const pages = statSync(file).size / PAGE;
  const r = rng(seed);
  const hit = new Set<number>();
  while (hit.size < count) {
    const p = 2 + Math.floor(r() * (pages - 1));
    if (!spare.has(p)) hit.add(p);
  }
  return [...hit].sort((a, b) => a - b);
}
