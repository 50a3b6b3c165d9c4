// In-host tests of the editor's AI surfaces (see test/browser/lm.test.ts, which starts this host on a
// workspace with lm-target.md): the language-model tools invoked through vscode.lm.invokeTool, and the
// @vault participant's own handler called with a recording response stream. No Copilot is installed:
// requests carry no editor model, so answers come from the local engine (the real tiny model).
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { tinyModel } from '../../helpers/paths';
import { api, indexedFor, workspaceRoot } from './hostUtil';
import { RecordingStream } from './recordingStream';

const TARGET = 'lm-target.md';

function toolText(r: vscode.LanguageModelToolResult): string {
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

/** A chat request as VS Code hands it to a participant; a host without language models gives no model. */
function chatRequest(prompt: string, command?: string): vscode.ChatRequest {
  return { prompt, command, references: [], toolReferences: [], toolInvocationToken: undefined as never, model: undefined as unknown as vscode.LanguageModelChat };
}

const noHistory: vscode.ChatContext = { history: [] };

function lines(loc: vscode.Uri | vscode.Location): { file: string; start: number; end: number } {
  assert.ok(loc instanceof vscode.Location, 'an anchor to lines is a Location');
  return { file: loc.uri.fsPath, start: loc.range.start.line + 1, end: loc.range.end.line + 1 };
}

suite('Codex Vault for assistants (in host)', () => {
  suiteSetup(async function () {
    this.timeout(120_000);
    await indexedFor('quasarlighthouse');
  });

  test('the tools and the participant are registered; the MCP provider only from VS Code 1.101', async () => {
    const a = await api();
    assert.equal(a.lm.toolsRegistered, true);
    assert.equal(a.lm.participantRegistered, true);
    const names = vscode.lm.tools.map((t) => t.name);
    for (const n of ['codexVault_search', 'codexVault_readNote']) assert.ok(names.includes(n), `${n} not in vscode.lm.tools: ${names.join(', ')}`);
    const search = vscode.lm.tools.find((t) => t.name === 'codexVault_search')!;
    assert.match(search.description, /path:startLine-endLine/);
    assert.deepEqual((search.inputSchema as { required?: string[] }).required, ['query']);
    // VS Code 1.100 has a preview of the MCP definition API (it wants another contribution point and
    // throws on ours): the extension must neither use it nor fail to activate.
    const [major, minor] = vscode.version.split('.').map(Number) as [number, number];
    const final = major > 1 || minor >= 101;
    assert.equal(a.lm.mcpProviderRegistered, final, `VS Code ${vscode.version}`);
  });

  test('vscode.lm.invokeTool(codexVault_search) returns the workspace vault\'s passages with file:line', async () => {
    const r = await vscode.lm.invokeTool('codexVault_search', { input: { query: 'quasarlighthouse', limit: 5 }, toolInvocationToken: undefined }, new vscode.CancellationTokenSource().token);
    const text = toolText(r);
    const m = new RegExp(`${TARGET.replace('.', '\\.')}:(\\d+)-(\\d+)`).exec(text);
    assert.ok(m, `no ${TARGET}:start-end in:\n${text}`);
    assert.ok(Number(m[1]) <= 7 && Number(m[2]) >= 7, `${m[0]} does not hold line 7`);
    assert.match(text, /Quasar lighthouse/);
    assert.match(text, /«quasarlighthouse»/);
  });

  test('vscode.lm.invokeTool(codexVault_readNote) reads numbered lines from the file; paths outside the vault are refused', async () => {
    const r = await vscode.lm.invokeTool('codexVault_readNote', { input: { path: TARGET, startLine: 5, endLine: 7 }, toolInvocationToken: undefined });
    const text = toolText(r);
    assert.match(text, new RegExp(`^${TARGET.replace('.', '\\.')}:5-7 \\(lines 5-7 of \\d+\\)$`, 'm'));
    assert.match(text, /^5\| ## Quasar lighthouse$/m);
    assert.match(text, /^7\| The quasarlighthouse keeper logs every beam\.$/m);
    for (const path of ['../../../../etc/passwd', '/etc/passwd', join(workspaceRoot(), '..', 'outside.md')]) {
      await assert.rejects(
        Promise.resolve(vscode.lm.invokeTool('codexVault_readNote', { input: { path }, toolInvocationToken: undefined })),
        /outside the vault/,
        `${path} was read`,
      );
    }
    await assert.rejects(Promise.resolve(vscode.lm.invokeTool('codexVault_search', { input: { query: '  ' }, toolInvocationToken: undefined })), /Give a query/);
  });

  test('codexVault_search with pathPrefix or tag returns only the notes in scope; a wrong-typed scope is refused', async () => {
    const found = async (input: Record<string, unknown>): Promise<string[]> => {
      const r = await vscode.lm.invokeTool('codexVault_search', { input: { query: 'scopedlantern', limit: 10, mode: 'lexical', ...input }, toolInvocationToken: undefined });
      return [...new Set([...toolText(r).matchAll(/^\d+\. (\S+\.md):\d+/gm)].map((m) => m[1]!))].sort();
    };
    assert.deepEqual(await found({}), ['lm-scope/inside.md', 'outside-plain.md', 'outside-tagged.md']);
    assert.deepEqual(await found({ pathPrefix: 'lm-scope/' }), ['lm-scope/inside.md']);
    // A prefix of a path the tool returned, as a model passes it back.
    assert.deepEqual(await found({ pathPrefix: 'outside-t' }), ['outside-tagged.md']);
    assert.deepEqual(await found({ tag: 'lanterntag' }), ['outside-tagged.md']);
    assert.deepEqual(await found({ tag: '#LanternTag', pathPrefix: 'lm-scope/' }), []);
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool('codexVault_search', { input: { query: 'scopedlantern', pathPrefix: 5 }, toolInvocationToken: undefined })),
      /pathPrefix must be a string of at most 1000 characters, got 5\./,
    );
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool('codexVault_search', { input: { query: 'scopedlantern', tag: ['lanterntag'] }, toolInvocationToken: undefined })),
      /tag must be a string of at most 200 characters, got \["lanterntag"\]\./,
    );
    const search = vscode.lm.tools.find((t) => t.name === 'codexVault_search')!;
    const props = (search.inputSchema as { properties: Record<string, { type: string }> }).properties;
    assert.equal(props.pathPrefix?.type, 'string');
    assert.equal(props.tag?.type, 'string');
  });

  test('@vault /search: the real handler emits an anchor to each result\'s lines', async () => {
    const a = await api();
    const stream = new RecordingStream();
    const result = await a.lm.participantHandler(chatRequest('quasarlighthouse', 'search'), noHistory, stream, new vscode.CancellationTokenSource().token);
    assert.equal(result?.errorDetails, undefined);
    const anchors = stream.of('anchor');
    assert.ok(anchors.length >= 1, `no anchors: ${JSON.stringify(stream.calls)}`);
    const first = lines(anchors[0]!.value);
    assert.equal(first.file, join(workspaceRoot(), TARGET));
    assert.ok(first.start <= 7 && first.end >= 7, `anchor ${first.start}-${first.end} does not hold line 7`);
    assert.equal(anchors[0]!.title, `${TARGET}:${first.start}-${first.end}`);
    assert.match(stream.text(), /Quasar lighthouse/);
  });

  test('@vault /search escapes note text: no markup from a note reaches the chat', async () => {
    const a = await api();
    const stream = new RecordingStream();
    await a.lm.participantHandler(chatRequest('zebracornmarkup', 'search'), noHistory, stream, new vscode.CancellationTokenSource().token);
    const raw = stream.of('markdown').map((c) => c.text).join('');
    assert.ok(!raw.includes('![x](https://evil.example/p.png)'), `an image from a note would render: ${raw}`);
    assert.match(stream.text(), /!\[x\]\(https:\/\/evil\.example\/p\.png\)/, 'the note text is still shown, as text');
  });

  test('@vault with the local model: an answer from the vault with references to its lines; "not in the vault" said plainly', async function () {
    this.timeout(180_000);
    const a = await api();
    await vscode.commands.executeCommand('codexVault.models.addLocal', tinyModel);
    await vscode.workspace.getConfiguration('codexVault').update('chatModel', tinyModel, vscode.ConfigurationTarget.Global);
    const stream = new RecordingStream();
    const result = await a.lm.participantHandler(chatRequest('What does the quasarlighthouse keeper log?', 'ask'), noHistory, stream, new vscode.CancellationTokenSource().token);
    assert.equal(result?.errorDetails, undefined, result?.errorDetails?.message);
    const meta = result?.metadata as { answeredBy?: string; conversationId?: number; notFound?: boolean };
    assert.equal(meta.answeredBy, 'local');
    assert.equal(typeof meta.conversationId, 'number');
    assert.notEqual(meta.notFound, true);
    const refs = stream.of('reference').map((r) => lines(r.value));
    assert.ok(refs.length >= 1, `no references: ${JSON.stringify(stream.calls)}`);
    const target = refs.find((r) => r.file === join(workspaceRoot(), TARGET));
    assert.ok(target && target.start <= 7 && target.end >= 7, `no reference to ${TARGET}:7: ${JSON.stringify(refs)}`);
    assert.ok(stream.of('markdown').length > 2, 'the answer did not stream');

    const nf = new RecordingStream();
    const nfResult = await a.lm.participantHandler(chatRequest('What is the capital of France?'), noHistory, nf, new vscode.CancellationTokenSource().token);
    assert.equal((nfResult?.metadata as { notFound?: boolean }).notFound, true);
    assert.match(nf.text(), /^The vault does not seem to contain this/);
    assert.equal(nf.of('reference').length, 0, 'a "not in the vault" answer cites nothing');
  });

  test('@vault honours cancellation: a cancelled request answers nothing and cites nothing', async function () {
    this.timeout(180_000);
    const a = await api();
    const cts = new vscode.CancellationTokenSource();
    cts.cancel();
    const stream = new RecordingStream();
    const result = await a.lm.participantHandler(chatRequest('Tell me everything about the quasarlighthouse keeper and the beams'), noHistory, stream, cts.token);
    assert.equal(result?.errorDetails, undefined, JSON.stringify(result));
    assert.equal((result?.metadata as { cancelled?: boolean }).cancelled, true, `${JSON.stringify(result)} ${JSON.stringify(stream.calls)}`);
    assert.equal(stream.of('reference').length, 0);
    assert.equal(stream.of('anchor').length, 0);
  });
});
