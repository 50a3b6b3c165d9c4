#!/usr/bin/env node
// `npm run bench`: builds, then runs every bench/*.bench.ts in turn (one process each, so one
// benchmark's memory does not colour the next). Each prints its figures beside its named
// baseline measured in the same run. `npm run bench -- vault` runs the files whose name contains "vault".
// Benchmarks print; they never fail on a figure.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) process.exit(1);
const dir = join(root, 'bench');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort() : [];
let failed = 0;
for (const f of files) {
  console.log(`\n##### ${f}`);
  const b = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join('bench', f)], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) {
    failed++;
    console.log(`${f} exited with ${b.status ?? b.signal}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
