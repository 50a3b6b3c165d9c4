#!/usr/bin/env node
// `npm test`: type check, build, then every test suite, ending with one summary line
// "tests: N passed, N failed" (the line CI reads), with ", N flaky" when
// a real-host file passed only on its retry.
//
// Stages:
//   unit     test/unit/**/*.test.ts   plain Node (node:test via tsx): real SQLite files, the real tiny model, real HTTP on loopback
//   host     test/host + test/browser a real VS Code (code-server from npm) driven by Debian's Chromium; scripts/host/setup.mjs installs what it needs;
//            files run one at a time, and a failed file is run once more (see hostTests)
// `--only unit|host` runs one stage; `--files <substring>` limits the host stage to matching files. Unit files run in parallel processes (one per core).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { hostTests, nodeTests, summaryLine } from './testStages.mjs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const totals = { passed: 0, failed: 0, skipped: 0, flaky: 0 };

function step(title, cmd, args, opts = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.log(`${title} failed (exit ${r.status ?? r.signal})`);
    console.log(summaryLine({ ...totals, failed: totals.failed + 1 }));
    process.exit(1);
  }
}

function findTests(dir, pattern = /\.test\.ts$/) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...findTests(relative(root, p), pattern));
    else if (pattern.test(name)) out.push(relative(root, p));
  }
  return out.sort();
}

step('type check', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
step('build', process.execPath, ['esbuild.mjs']);

function addToTotals(r) {
  totals.passed += r.pass;
  totals.failed += r.fail;
  totals.skipped += r.skipped;
}

if (!only || only === 'unit') {
  addToTotals(await nodeTests('unit', findTests('test/unit')));
}
if (!only || only === 'host') {
  const filter = process.argv.includes('--files') ? process.argv[process.argv.indexOf('--files') + 1] : undefined;
  const hostFiles = findTests('test/browser').filter((f) => !filter || f.includes(filter));
  if (hostFiles.length > 0) {
    if (existsSync(join(root, 'scripts/host/setup.mjs'))) step('host set-up', process.execPath, ['scripts/host/setup.mjs']);
    const r = await hostTests(hostFiles, { CODEX_VAULT_HOST_TESTS: '1' });
    addToTotals(r);
    totals.flaky += r.flaky;
  }
}

console.log('\n' + summaryLine(totals));
process.exit(totals.failed > 0 ? 1 : 0);
