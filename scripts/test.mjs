#!/usr/bin/env node
// `npm test`: type check, build, then every test suite, ending with one summary line
// "tests: N passed, N failed" (the line CI reads).
//
// Stages:
//   unit     test/unit/**/*.test.ts   plain Node (node:test via tsx): real SQLite files, the real tiny model, real HTTP on loopback
//   host     test/host + test/browser a real VS Code (code-server from npm) driven by Debian's Chromium; scripts/host/setup.mjs installs what it needs;
//            files run one at a time, and a failed file is run once more (see hostTests)
// `--only unit|host` runs one stage; `--files <substring>` limits the host stage to matching files. Unit files run in parallel processes (one per core).
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

/**
 * Runs files through node's test runner in one process tree; resolves to the counts read from its TAP
 * stream (the caller adds them to the totals).
 */
function nodeTests(title, files, extraEnv = {}, limitMinutes = 40) {
  return new Promise((resolve) => {
    console.log(`\n=== ${title}: ${files.length} file(s)`);
    if (files.length === 0) return resolve({ pass: 0, fail: 0, skipped: 0 });
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
      const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
      const num = (k) => Number((new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text) ?? [])[1] ?? 0);
      const pass = num('pass'), skipped = num('skipped') + num('todo');
      let fail = num('fail') + num('cancelled') + (timedOut ? 1 : 0);
      // A crash of the runner itself with no failed test counted still fails the run.
      if (code !== 0 && fail === 0) fail = 1;
      console.log(`${title}: ${pass} passed, ${fail} failed, ${skipped} skipped`);
      resolve({ pass, fail, skipped });
    });
  });
}

function addToTotals(r) {
  totals.passed += r.pass;
  totals.failed += r.fail;
  totals.skipped += r.skipped;
}

/**
 * Real-host files run one by one. A file that fails is run once more, whole, on a fresh code-server
 * and browser, and the second run's counts are the ones that count: a real regression fails both
 * runs, while a workbench that swallowed one click under load (the same reason Playwright's own runner
 * retries in CI) does not fail the build. Every retry is named in the output.
 */
async function hostTests(files, env) {
  const flaky = [];
  const stage = { pass: 0, fail: 0, skipped: 0 };
  for (const file of files) {
    let r = await nodeTests(`host ${relative('test/browser', file)}`, [file], env, 15);
    if (r.fail > 0) {
      console.log(`host: ${file} failed ${r.fail} test(s); running it once more`);
      r = await nodeTests(`host ${relative('test/browser', file)} (retry)`, [file], env, 15);
      if (r.fail === 0) flaky.push(file);
    }
    addToTotals(r);
    for (const k of Object.keys(stage)) stage[k] += r[k];
  }
  console.log(`\nhost: ${stage.pass} passed, ${stage.fail} failed, ${stage.skipped} skipped (${files.length} files` +
    (flaky.length ? `; passed only on their retry (flaky): ${flaky.join(', ')})` : '; none needed a retry)'));
}

step('type check', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
step('build', process.execPath, ['esbuild.mjs']);

if (!only || only === 'unit') {
  addToTotals(await nodeTests('unit', findTests('test/unit')));
}
if (!only || only === 'host') {
  const filter = process.argv.includes('--files') ? process.argv[process.argv.indexOf('--files') + 1] : undefined;
  const hostFiles = findTests('test/browser').filter((f) => !filter || f.includes(filter));
  if (hostFiles.length > 0) {
    if (existsSync(join(root, 'scripts/host/setup.mjs'))) step('host set-up', process.execPath, ['scripts/host/setup.mjs']);
    await hostTests(hostFiles, { CODEX_VAULT_HOST_TESTS: '1' });
  }
}

const line = `tests: ${totals.passed} passed, ${totals.failed} failed` + (totals.skipped ? `, ${totals.skipped} skipped` : '');
console.log('\n' + line);
process.exit(totals.failed > 0 ? 1 : 0);
