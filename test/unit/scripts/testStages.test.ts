// The test runner's own counting: a real-host file that passes only on its retry shows up in the
// closing line as flaky (its first-run failures counted), never hidden by the retry's counts; a file
// that fails both runs fails the build. Runs real node:test child processes over temporary files.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { hostTests, summaryLine } from '../../../scripts/testStages.mjs';

const dir = mkdtempSync(join(tmpdir(), 'cv-stages-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { existsSync, writeFileSync } from 'node:fs';\n${body}\n`);
  return p;
}

test('a file that passed only on its retry is counted flaky in the closing line; one that fails twice fails', async () => {
  const marker = join(dir, 'ran-once');
  const steady = file('steady.test.mjs', `test('steady', () => assert.ok(true));`);
  // Fails two tests the first time, passes both the second (the marker file remembers the first run).
  const flaky = file('flaky.test.mjs', `const first = !existsSync(${JSON.stringify(marker)});
test('a', () => assert.ok(!first));
test('b', () => { writeFileSync(${JSON.stringify(marker)}, 'x'); assert.ok(!first); });`);
  const stage = await hostTests([steady, flaky], {}, 2, 'ignore');
  assert.equal(stage.fail, 0);
  assert.equal(stage.pass, 3);
  assert.equal(stage.flaky, 2);
  assert.deepEqual(stage.flakyFiles, [flaky]);
  assert.equal(summaryLine({ passed: stage.pass, failed: stage.fail, skipped: stage.skipped, flaky: stage.flaky }), 'tests: 3 passed, 0 failed, 2 flaky');

  const broken = file('broken.test.mjs', `test('always', () => assert.fail('broken'));`);
  const bad = await hostTests([broken], {}, 2, 'ignore');
  assert.equal(bad.fail, 1);
  assert.equal(bad.flaky, 0);
  assert.equal(summaryLine({ passed: bad.pass, failed: bad.fail, skipped: bad.skipped, flaky: bad.flaky }), 'tests: 0 passed, 1 failed');
});
