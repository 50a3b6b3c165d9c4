// The editor's AI surfaces in a real VS Code (code-server 4.100.3, VS Code 1.100): the language-model
// tools through vscode.lm.invokeTool and the @vault participant's handler, run by the in-host suite
// test/host/suite/lm.test.ts on a workspace whose vault the extension indexes. No Copilot is
// installed: the participant answers with the local engine (the real tiny model).
import { test } from 'node:test';
import { hostForFile, reportHostSuite } from './harness/index';
import { ASSISTANT_SETTINGS, assistantWorkspace } from './lmWorkspace';

const h = hostForFile(() => {
  const ws = assistantWorkspace();
  return { workspace: ws, userSettings: ASSISTANT_SETTINGS, hostSuite: { filter: '^lm\\.' } };
});

test('language-model tools and @vault: in-host suite', { timeout: 400_000 }, async (t) => {
  await reportHostSuite(t, h, { timeoutMs: 380_000, atLeast: 8 });
});
