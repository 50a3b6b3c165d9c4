// The editor's AI surfaces in a real VS Code (code-server 4.100.3, VS Code 1.100): the language-model
// tools through vscode.lm.invokeTool and the @vault participant's handler, run by the in-host suite
// test/host/suite/lm.test.ts on a workspace whose vault the extension indexes. No Copilot is
// installed: the participant answers with the local engine (the real tiny model).
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { reportHostSuite, startHost, type HostSession } from './harness/index';
import { ASSISTANT_SETTINGS, assistantWorkspace } from './lmWorkspace';

let h: HostSession;
let ws: string;

before(async () => {
  ws = assistantWorkspace();
  h = await startHost({ workspace: ws, userSettings: ASSISTANT_SETTINGS, hostSuite: { filter: '^lm\\.' } });
}, { timeout: 240_000 });

after(async () => {
  await h?.stop();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

test('language-model tools and @vault: in-host suite', { timeout: 400_000 }, async (t) => {
  await reportHostSuite(t, h, { timeoutMs: 380_000, atLeast: 8 });
});
