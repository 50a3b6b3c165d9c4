// The test stages of scripts/test.mjs, as a module so that the runner's own counting is tested
// (test/unit/scripts/testStages.test.ts): node's test runner over a set of files, and the real-host
// stage that runs a failed file once more and still counts its first-run failures as flaky.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * Runs files through node's test runner in one process tree; resolves to the counts read from its TAP
 * stream (the caller adds them to the totals).
 */
export function nodeTests(title, files, extraEnv = {}, limitMinutes = 40, stdio = 'inherit') {
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
    const child = spawn(process.execPath, args, { cwd: root, stdio, detached: true, env: childEnv(extraEnv) });
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

/** The environment of a test runner child: ours, less the marker that would make it report to a parent runner. */
function childEnv(extra) {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/**
 * Real-host files run one by one. A file that fails is run once more, whole, on a fresh code-server
 * and browser, and the second run's counts are the ones that pass or fail the build: a real
 * regression fails both runs, while a workbench that swallowed one click under load (the same reason
 * Playwright's own runner retries in CI) does not. What failed on the first run is never hidden: a
 * file that passed only on its retry adds its first-run failures to `flaky`, which the closing line
 * shows, and the file is named.
 */
export async function hostTests(files, env, limitMinutes = 15, stdio = 'inherit') {
  const stage = { pass: 0, fail: 0, skipped: 0, flaky: 0, flakyFiles: [] };
  for (const file of files) {
    let r = await nodeTests(`host ${relative('test/browser', file)}`, [file], env, limitMinutes, stdio);
    if (r.fail > 0) {
      const first = r.fail;
      console.log(`host: ${file} failed ${first} test(s); running it once more`);
      r = await nodeTests(`host ${relative('test/browser', file)} (retry)`, [file], env, limitMinutes, stdio);
      if (r.fail === 0) {
        stage.flaky += first;
        stage.flakyFiles.push(file);
      }
    }
    for (const k of ['pass', 'fail', 'skipped']) stage[k] += r[k];
  }
  console.log(`\nhost: ${stage.pass} passed, ${stage.fail} failed, ${stage.skipped} skipped (${files.length} files` +
    (stage.flakyFiles.length ? `; passed only on their retry (flaky, ${stage.flaky} first-run failure(s)): ${stage.flakyFiles.join(', ')})` : '; none needed a retry)'));
  return stage;
}

/** The closing line CI reads: "tests: N passed, N failed[, N flaky][, N skipped]". */
export function summaryLine(t) {
  return `tests: ${t.passed} passed, ${t.failed} failed` + (t.flaky ? `, ${t.flaky} flaky` : '') + (t.skipped ? `, ${t.skipped} skipped` : '');
}
