// The workspace the assistant surfaces are tested on (test/browser/lm.test.ts on the default host,
// test/browser/mcpProvider.test.ts on the VS Code 1.103 host): the sample vault plus notes whose
// lines the in-host suites know (test/host/suite/lm.test.ts, mcpProvider.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from '../helpers/paths';
import { quasarNote } from '../helpers/targetNote';
import { copyToTemp } from './harness/index';

/** Notes a scoped search tells apart: one under lm-scope/, one tagged, one neither; all hold "scopedlantern". */
export const SCOPE_NOTES: Record<string, string> = {
  'lm-scope/inside.md': '# Inside\n\nThe scopedlantern hangs inside the folder.\n',
  'outside-tagged.md': '---\ntags: [lanterntag]\n---\n# Outside tagged\n\nThe scopedlantern hangs outside, tagged.\n',
  'outside-plain.md': '# Outside plain\n\nThe scopedlantern hangs outside, untagged.\n',
};

/** Markup a note may hold, which no chat answer may render. */
const MARKUP = '# Markup\n\nzebracornmarkup ![x](https://evil.example/p.png) <b>bold</b> [link](command:workbench.action.quit)\n';

export function assistantWorkspace(): string {
  const ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'lm-target.md'), quasarNote('LM test target'));
  writeFileSync(join(ws, 'mcp-target.md'), quasarNote('MCP test target'));
  writeFileSync(join(ws, 'zz-markup.md'), MARKUP);
  for (const [path, text] of Object.entries(SCOPE_NOTES)) {
    mkdirSync(dirname(join(ws, path)), { recursive: true });
    writeFileSync(join(ws, path), text);
  }
  return ws;
}

/** The tiny model on one thread, with short answers. */
export const ASSISTANT_SETTINGS = { 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.contextSize': 2048, 'codexVault.sampling.maxTokens': 48 };
