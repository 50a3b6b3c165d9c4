// The in-host test runner, in the shape @vscode/test-electron expects (an index module exporting run()):
// mocha (tdd ui) over the compiled *.test.js files beside it, inside a real extension host.
// Here the extension loads it when CODEX_VAULT_TEST_SUITE names it; on a desktop that can download
// VS Code, pass it to @vscode/test-electron as extensionTestsPath. Results go to the file named by
// CODEX_VAULT_TEST_RESULTS (JSON), which the browser test outside reads; CODEX_VAULT_TEST_FILTER (a regex)
// picks files by name.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mochaModule from 'mocha';

export interface HostTestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
}

export interface HostSuiteResults {
  passed: number;
  failed: number;
  pending: number;
  tests: HostTestResult[];
}

type MochaCtor = typeof mochaModule.default;

export async function run(): Promise<void> {
  const Mocha = ((mochaModule as unknown as { default?: MochaCtor }).default ?? (mochaModule as unknown as MochaCtor));
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  const filter = process.env.CODEX_VAULT_TEST_FILTER ? new RegExp(process.env.CODEX_VAULT_TEST_FILTER) : undefined;
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.test.js') && (!filter || filter.test(f))).sort();
  for (const f of files) mocha.addFile(join(__dirname, f));
  const results: HostSuiteResults = { passed: 0, failed: 0, pending: 0, tests: [] };
  const out = process.env.CODEX_VAULT_TEST_RESULTS;
  const write = (extra?: string): void => {
    if (!out) return;
    if (extra) results.tests.push({ title: 'in-host suite', state: 'failed', error: extra });
    writeFileSync(out, JSON.stringify(results, null, 2));
  };
  try {
    await mocha.loadFilesAsync();
  } catch (err) {
    results.failed++;
    write(`loading the test files failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    throw err;
  }
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      write();
      if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
      else resolve();
    });
    // Each result also goes to <results>.partial as it comes, so a suite that never ends still says how far it got.
    const progress = (): void => { if (out) writeFileSync(`${out}.partial`, JSON.stringify(results, null, 2)); };
    runner.on('test', (t) => { if (out) writeFileSync(`${out}.partial`, JSON.stringify({ ...results, running: t.fullTitle() }, null, 2)); });
    runner.on('pass', (t) => { results.passed++; results.tests.push({ title: t.fullTitle(), state: 'passed' }); progress(); });
    runner.on('fail', (t, err: unknown) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
      progress();
    });
    runner.on('pending', (t) => { results.pending++; results.tests.push({ title: t.fullTitle(), state: 'pending' }); });
  });
}
