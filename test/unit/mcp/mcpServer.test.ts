// `codex-vault mcp` as an MCP client meets it: the real built CLI spawned as a subprocess and driven
// by the SDK's own Client over StdioClientTransport, on a copy of the Rust book indexed by the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BookmarkStore } from '../../../src/vault/bookmarks/bookmarkStore';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, rustBook, tempDir, tinyModel } from '../../helpers/paths';
import { cliArgv, cliVault, runCli } from '../../helpers/runCli';

const REFS = 'ch04-02-references-and-borrowing.md';

let dir: string;
let cleanup: () => void;
let vaultDir: string;
let db: string;
let env: Record<string, string>;

before(async () => {
  ({ dir, cleanup } = tempDir('cv-mcp-'));
  vaultDir = join(dir, 'book');
  cpSync(rustBook, vaultDir, { recursive: true });
  db = join(dir, 'book.vault');
  env = { CODEX_VAULT_HOME: join(dir, 'home') };
  const r = await runCli(['index', vaultDir, '--db', db], env);
  assert.equal(r.code, 0, r.err);
  // An indexed note that became a link to a file outside the vault after it was indexed.
  writeFileSync(join(dir, 'outside-secret.md'), '# Secret\n\nnot part of the vault\n');
  rmSync(join(vaultDir, 'appendix-00.md'));
  symlinkSync(join(dir, 'outside-secret.md'), join(vaultDir, 'appendix-00.md'));
  // Two bookmarks, made the way the extension makes them.
  const v = Vault.open(db);
  try {
    const store = new BookmarkStore(v.db);
    const folder = store.createFolder('Borrowing');
    const text = readFileSync(join(vaultDir, REFS), 'utf8');
    store.addSelection({ rootPath: vaultDir, path: REFS, startLine: 194, endLine: 196, fileText: text, label: 'Dangling' }, { parentId: folder.id });
    store.addFile({ rootPath: vaultDir, path: 'ch01-00-getting-started.md' });
  } finally {
    v.close();
  }
}, { timeout: 120_000 });

after(() => cleanup?.());

async function connect(extraArgs: string[] = []): Promise<{ client: Client; transport: StdioClientTransport; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: cliArgv(['mcp', '--db', db, ...extraArgs]),
    env: { ...(process.env as Record<string, string>), ...env },
    cwd: repoRoot,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const client = new Client({ name: 'codex-vault-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i + 1;
}

test('MCP: tools, search, read_note, refusals, bad arguments, bookmarks; exits when the client closes', { timeout: 180_000 }, async (t) => {
  const { client, transport, stderr } = await connect();
  const pid = transport.pid!;
  try {
    await t.test('lists the read-only tools with input and output schemas (no ask without --model)', async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((x) => x.name).sort(), ['list_bookmarks', 'read_note', 'search']);
      for (const tool of tools) {
        assert.ok((tool.description ?? '').length > 60, `${tool.name} has no real description`);
        assert.equal(tool.annotations?.readOnlyHint, true);
        assert.equal(tool.outputSchema?.type, 'object');
      }
      const search = tools.find((x) => x.name === 'search')!;
      assert.deepEqual(search.inputSchema.required, ['query']);
      assert.ok(Object.keys(search.inputSchema.properties ?? {}).includes('pathPrefix'));
    });

    await t.test('search finds the dangling-references section at its lines, as text and as structured content', async () => {
      const r = await call(client, 'search', { query: 'dangling references', limit: 5 });
      assert.notEqual(r.isError, true, text(r));
      const s = r.structuredContent as { mode: string; results: { path: string; startLine: number; endLine: number; citation: string; heading: string }[] };
      assert.equal(s.mode, 'lexical');
      const heading = lineOf(join(vaultDir, REFS), '### Dangling References');
      const hit = s.results.find((h) => h.path === REFS && h.startLine <= heading && h.endLine >= heading);
      assert.ok(hit, `no result covers ${REFS}:${heading}: ${JSON.stringify(s.results)}`);
      assert.equal(s.results[0]!.path, REFS);
      assert.match(hit.heading, /Dangling References/);
      assert.equal(hit.citation, `${REFS}:${hit.startLine}-${hit.endLine}`);
      // The text a model reads carries the same citations.
      for (const h of s.results) assert.ok(text(r).includes(h.citation), `${h.citation} missing from the text`);
      // Filters reach the retriever.
      const only = await call(client, 'search', { query: 'ownership', pathPrefix: 'ch04-01', limit: 5 });
      const onlyPaths = (only.structuredContent as { results: { path: string }[] }).results.map((h) => h.path);
      assert.ok(onlyPaths.length > 0 && onlyPaths.every((p) => p.startsWith('ch04-01')), onlyPaths.join(', '));
    });

    await t.test('read_note returns the asked lines, numbered, equal to the file', async () => {
      const file = readFileSync(join(vaultDir, REFS), 'utf8').split('\n');
      const r = await call(client, 'read_note', { path: REFS, startLine: 194, endLine: 205 });
      assert.notEqual(r.isError, true, text(r));
      const s = r.structuredContent as { path: string; startLine: number; endLine: number; totalLines: number; text: string; citation: string };
      assert.equal(s.path, REFS);
      assert.deepEqual([s.startLine, s.endLine], [194, 205]);
      assert.equal(s.text, file.slice(193, 205).join('\n'));
      assert.equal(s.citation, `${REFS}:194-205`);
      assert.ok(s.totalLines >= 205);
      assert.match(text(r), /^194\| ### Dangling References$/m);
      // The absolute path names the same note.
      const abs = await call(client, 'read_note', { path: join(vaultDir, REFS), startLine: 194, endLine: 194 });
      assert.equal((abs.structuredContent as { text: string }).text, '### Dangling References');
    });

    await t.test('paths outside the vault, files it does not hold, and links out of it are refused', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ path: '../outside-secret.md' }, /outside the vault/],
        [{ path: join(dir, 'outside-secret.md') }, /outside the vault/],
        [{ path: '/etc/passwd' }, /outside the vault/],
        [{ path: 'ch04-02/../../outside-secret.md' }, /outside the vault/],
        [{ path: 'appendix-00.md' }, /link to a file outside/],
        [{ path: 'no-such-note.md' }, /not a note of this vault/],
      ];
      for (const [args, why] of cases) {
        const r = await call(client, 'read_note', args);
        assert.equal(r.isError, true, `${JSON.stringify(args)} was read: ${text(r)}`);
        assert.match(text(r), why);
        assert.ok(!text(r).includes('not part of the vault'), 'the secret leaked');
      }
      // Indexed, then deleted from disk.
      rmSync(join(vaultDir, 'appendix-01-keywords.md'));
      const gone = await call(client, 'read_note', { path: 'appendix-01-keywords.md' });
      assert.equal(gone.isError, true);
      assert.match(text(gone), /no longer on disk/);
    });

    await t.test('bad arguments come back as tool errors, and the server keeps answering', async () => {
      const bad: [string, Record<string, unknown>, RegExp][] = [
        ['search', {}, /query/],
        ['search', { query: 42 }, /query/],
        ['search', { query: 'x', limit: 0 }, /limit/],
        ['search', { query: 'x', mode: 'fuzzy' }, /mode/],
        ['search', { query: 'borrow', mode: 'semantic' }, /embedding model/],
        ['read_note', { path: REFS, startLine: 0 }, /startLine/],
        ['read_note', { path: REFS, startLine: 20, endLine: 10 }, /before startLine/],
        ['read_note', { path: REFS, startLine: 100000 }, /past its end/],
        ['ask', { question: 'x' }, /not found/i],
      ];
      for (const [name, args, why] of bad) {
        const r = await call(client, name, args);
        assert.equal(r.isError, true, `${name} ${JSON.stringify(args)} was accepted: ${text(r)}`);
        assert.match(text(r), why);
      }
      const ok = await call(client, 'search', { query: 'borrow checker', limit: 1 });
      assert.notEqual(ok.isError, true);
    });

    await t.test('list_bookmarks lists the bookmarks with their folders and lines', async () => {
      const r = await call(client, 'list_bookmarks', {});
      const s = r.structuredContent as { bookmarks: { kind: string; label: string; folder: string; path?: string; citation?: string }[] };
      assert.equal(s.bookmarks.length, 2);
      const sel = s.bookmarks.find((b) => b.kind === 'selection')!;
      assert.deepEqual([sel.label, sel.folder, sel.citation], ['Dangling', 'Borrowing', `${REFS}:194-196`]);
      assert.equal(s.bookmarks.find((b) => b.kind === 'file')?.path, 'ch01-00-getting-started.md');
      assert.match(text(r), /Borrowing\/\n {2}- \[selection\] Dangling/);
    });
  } finally {
    await client.close();
  }
  // The server left because stdin closed (not because the transport killed it), and is gone.
  assert.match(stderr(), /the client closed stdin; exiting/);
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
});

test('MCP: with models: semantic and hybrid search; ask gives a structured, cited answer, and notFound without calling the model', { timeout: 300_000 }, async () => {
  const small = await cliVault();
  const embedded = await runCli(['embed-index', '--db', small.db, '--embedding-model', tinyModel], small.env);
  assert.equal(embedded.code, 0, embedded.err);
  const saved = db;
  db = small.db;
  const { client } = await connect(['--model', tinyModel, '--embedding-model', tinyModel, '--context-size', '1024', '--max-tokens', '24']);
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === 'ask'));
    // The tiny model's vectors carry little meaning: check the mode and the shape, not the ranking.
    for (const mode of ['semantic', 'hybrid']) {
      const r = await call(client, 'search', { query: 'owner scope', mode });
      assert.notEqual(r.isError, true, text(r));
      const s = r.structuredContent as { mode: string; results: { path: string }[] };
      assert.equal(s.mode, mode);
      assert.deepEqual(s.results.map((h) => h.path).sort(), ['bread.md', 'ownership.md']);
    }
    const byDefault = await call(client, 'search', { query: 'owner' });
    assert.equal((byDefault.structuredContent as { mode: string }).mode, 'hybrid', 'vectors exist, so the default is hybrid');
    const r = await call(client, 'ask', { question: 'What happens when the owner goes out of scope?' });
    assert.notEqual(r.isError, true, text(r));
    const s = r.structuredContent as { answer: string; notFound: boolean; sources: { n: number; path: string; citation: string }[]; citations: { n: number }[]; closest: unknown[] };
    assert.equal(s.notFound, false);
    assert.equal(s.sources[0]!.path, 'ownership.md');
    assert.ok(s.answer.length > 0);
    assert.ok(s.citations.every((c) => s.sources.some((x) => x.n === c.n)));
    assert.deepEqual(s.closest, []);
    assert.match(text(r), /Sources:\n\[1\] ownership\.md:1-\d+/);

    const nf = await call(client, 'ask', { question: 'What is the capital of France?' });
    const n = nf.structuredContent as { answer: string; notFound: boolean; sources: unknown[] };
    assert.equal(n.notFound, true);
    assert.equal(n.answer, '');
    assert.deepEqual(n.sources, []);
    assert.match(text(nf), /does not seem to contain this/);
  } finally {
    await client.close();
    db = saved;
    small.cleanup();
  }
});

test('MCP: malformed input is skipped, stdout carries only protocol messages, and stdin closing ends the server', { timeout: 120_000 }, async () => {
  const child = spawn(process.execPath, cliArgv(['mcp', '--db', db]), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const send = (line: string): void => { child.stdin.write(`${line}\n`); };
  const reply = async (id: number): Promise<{ id: number; result?: { tools?: unknown[] }; error?: { code: number } }> => {
    for (let i = 0; i < 600; i++) {
      const found = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id?: number }).find((m) => m.id === id);
      if (found) return found as { id: number };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no reply ${id}; stdout: ${out}; stderr: ${err}`);
  };
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }));
  await reply(1);
  send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  send('this is not json {');
  send(JSON.stringify({ not: 'json-rpc' }));
  send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'no/such/method' }));
  send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'read_note', arguments: { path: '../../../../etc/passwd' } } }));
  send(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }));
  assert.equal((await reply(2)).error?.code, -32601);
  const refused = (await reply(3)) as { result?: { isError?: boolean } };
  assert.equal(refused.result?.isError, true);
  assert.ok(((await reply(4)).result?.tools ?? []).length >= 3, 'the server stopped answering after a malformed line');
  assert.match(err, /not valid JSON/);
  // Every line on stdout is a JSON-RPC message; the start-up line and the errors went to stderr.
  for (const line of out.split('\n').filter(Boolean)) assert.equal((JSON.parse(line) as { jsonrpc?: string }).jsonrpc, '2.0', line);
  assert.match(err, /serving .* on stdio/);
  child.stdin.end();
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null });
  assert.match(err, /the client closed stdin; exiting/);
});
