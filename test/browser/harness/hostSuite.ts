// Compiles the in-host mocha suite (test/host/suite/*.ts) to out/host-suite/*.js for the extension host,
// and reads the results file it writes.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../helpers/paths';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { HostSuiteResults } from '../../host/suite/index';
import type { HostSession } from './session';

export const hostSuiteOut = join(repoRoot, 'out', 'host-suite');
export const hostSuiteIndex = join(hostSuiteOut, 'index.js');

/** Bundles each suite file on its own (vscode and mocha stay external: the host provides them). */
export async function buildHostSuite(): Promise<string> {
  const src = join(repoRoot, 'test', 'host', 'suite');
  rmSync(hostSuiteOut, { recursive: true, force: true });
  await esbuild.build({
    entryPoints: readdirSync(src).filter((f) => f.endsWith('.ts')).map((f) => join(src, f)),
    outdir: hostSuiteOut,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha', 'node-llama-cpp', '@node-llama-cpp/*', 'playwright-core'],
    logLevel: 'warning',
  });
  return hostSuiteIndex;
}

/** Polls for the results file the suite writes when it has run. */
export async function waitForHostResults(file: string, timeoutMs = 120_000, log?: () => string): Promise<HostSuiteResults> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as HostSuiteResults;
      } catch {
        // Being written: read again.
      }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const partial = existsSync(`${file}.partial`) ? `\n--- in-host results so far ---\n${readFileSync(`${file}.partial`, 'utf8').slice(-6000)}` : '';
  throw new Error(`the in-host suite wrote no results to ${file} within ${timeoutMs / 1000} s${partial}${log ? `\n--- code-server log ---\n${log().slice(-4000)}` : ''}`);
}

/**
 * Waits for the in-host suite of `h` and reports each of its tests as a subtest of `t` (so a failure
 * names the in-host test and carries its error). Fails when fewer than `atLeast` tests ran.
 */
export async function reportHostSuite(t: TestContext, h: HostSession, opts: { timeoutMs: number; atLeast?: number }): Promise<HostSuiteResults> {
  const results = await waitForHostResults(h.hostResultsFile!, opts.timeoutMs, h.server.log);
  const atLeast = opts.atLeast ?? 1;
  assert.ok(results.tests.length >= atLeast, `the in-host suite ran ${results.tests.length} test(s), expected at least ${atLeast}`);
  for (const r of results.tests) {
    await t.test(r.title, () => assert.equal(r.state, 'passed', r.error));
  }
  return results;
}
