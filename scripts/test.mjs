#!/usr/bin/env node
// `npm test`: type check, build, then every test suite, ending with one summary line
// "tests: N passed, N failed" (the line CI reads).
//
// Stages:
//   unit     test/unit/**/*.test.ts   plain Node (node:test via tsx): real SQLite files, the real tiny model, real HTTP on loopback
//   host     test/host + test/browser a real VS Code (code-server from npm) driven by Debian's Chromium; scripts/host/setup.mjs installs what it needs
// `--only unit|host` runs one stage. Unit files run in parallel processes (one per core).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const totals = { passed: 0, failed: 0, skipped: 0 };

function step(title, cmd, args, opts = {}) {
  console.log(`\n=== ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.log(`${title} failed (exit ${r.status ?? r.signal})`);
    console.log(`tests: ${totals.passed} passed, ${totals.failed + 1} failed`);
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

/** Runs files through node's test runner; counts come from its TAP stream. */
function nodeTests(title, files, extraEnv = {}, limitMinutes = 40) {
  return new Promise((resolve) => {
    console.log(`\n=== ${title}: ${files.length} file(s)`);
    if (files.length === 0) return resolve();
    const tapDir = mkdtempSync(join(tmpdir(), 'cv-tap-'));
    const tap = join(tapDir, 'out.tap');
    const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      // Real-host files each start a code-server and a Chromium: one file at a time on 2 cores.
      ...(extraEnv.CODEX_VAULT_HOST_TESTS ? ['--test-concurrency=1'] : []), ...files];
    // Its own process group, so that a stage that hangs (a test file whose browser or server
    // never exits) can be ended whole by the watchdog below instead of hanging CI.
    const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, ...extraEnv } });
    const onInterrupt = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } process.exit(130); };
    process.once('SIGINT', onInterrupt);
    let timedOut = false;
    const watchdog = setTimeout(() => {
      timedOut = true;
      console.log(`${title}: still running after ${limitMinutes} minutes: ending it`);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, limitMinutes * 60_000);
    child.on('exit', (code) => {
      clearTimeout(watchdog);
      process.off('SIGINT', onInterrupt);
      if (timedOut) totals.failed += 1;
      const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
      const num = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text) ?? [])[1] ?? 0);
      const pass = num('pass'), fail = num('fail'), cancelled = num('cancelled'), skipped = num('skipped') + num('todo');
      totals.passed += pass;
      totals.failed += fail + cancelled;
      totals.skipped += skipped;
      // A crash of the runner itself with no failed test counted still fails the run.
      if (code !== 0 && fail + cancelled === 0) totals.failed += 1;
      console.log(`${title}: ${pass} passed, ${fail + cancelled} failed, ${skipped} skipped`);
      resolve();
    });
  });
}

step('type check', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
step('build', process.execPath, ['esbuild.mjs']);

if (!only || only === 'unit') {
  await nodeTests('unit', findTests('test/unit'));
}
if (!only || only === 'host') {
  const hostFiles = findTests('test/browser');
  if (hostFiles.length > 0) {
    if (existsSync(join(root, 'scripts/host/setup.mjs'))) step('host set-up', process.execPath, ['scripts/host/setup.mjs']);
    await nodeTests('host', hostFiles, { CODEX_VAULT_HOST_TESTS: '1' });
  }
}

const line = `tests: ${totals.passed} passed, ${totals.failed} failed` + (totals.skipped ? `, ${totals.skipped} skipped` : '');
console.log('\n' + line);
process.exit(totals.failed > 0 ? 1 : 0);
