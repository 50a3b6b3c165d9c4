// The editor's AI surfaces in a real VS Code (code-server 4.100.3, VS Code 1.100): the language-model
// tools through vscode.lm.invokeTool and the @vault participant's handler, run by the in-host suite
// test/host/suite/lm.test.ts on a workspace whose vault the extension indexes. No Copilot is
// installed: the participant answers with the local engine (the real tiny model).
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot } from '../helpers/paths';
import { copyToTemp, startHost, waitForHostResults, type HostSession } from './harness/index';

const TARGET = [
  '# LM test target',              // 1
  '',                              // 2
  'An introduction paragraph.',    // 3
  '',                              // 4
  '## Quasar lighthouse',          // 5
  '',                              // 6
  'The quasarlighthouse keeper logs every beam.', // 7
  '',                              // 8
].join('\n');
const MARKUP = '# Markup\n\nzebracornmarkup ![x](https://evil.example/p.png) <b>bold</b> [link](command:workbench.action.quit)\n';

let h: HostSession;
let ws: string;

before(async () => {
  ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'lm-target.md'), TARGET);
  writeFileSync(join(ws, 'zz-markup.md'), MARKUP);
  h = await startHost({
    workspace: ws,
    userSettings: { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.contextSize': 2048, 'codexVault.sampling.maxTokens': 48 },
    hostSuite: { filter: '^lm' },
  });
}, { timeout: 240_000 });

after(async () => {
  await h?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

test('language-model tools and @vault: in-host suite', { timeout: 400_000 }, async (t) => {
  const results = await waitForHostResults(h.hostResultsFile!, 380_000, h.server.log);
  assert.ok(results.tests.length >= 6, `the lm suite ran ${results.tests.length} tests`);
  for (const r of results.tests) {
    await t.test(r.title, () => assert.equal(r.state, 'passed', r.error));
  }
});
