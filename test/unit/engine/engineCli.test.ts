// The engine's CLI commands: once as a user runs them (src/cli.ts in a child process, to prove
// stdout holds results only), otherwise through the CLI's own main() in this process (the same
// code path minus a process start): results on stdout, logs on stderr, exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, tempDir, tinyModel } from '../../helpers/paths';
import { cliInProcess as inProcess } from '../../helpers/runCli';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let home: { dir: string; cleanup: () => void };

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args], { cwd: repoRoot, env: { ...process.env, CODEX_VAULT_HOME: home.dir }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : err ? 1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('engine CLI commands', () => {
  let savedHome: string | undefined;
  before(() => {
    home = tempDir('cv-cli-');
    savedHome = process.env.CODEX_VAULT_HOME;
    process.env.CODEX_VAULT_HOME = home.dir;
  });
  after(() => {
    if (savedHome === undefined) delete process.env.CODEX_VAULT_HOME;
    else process.env.CODEX_VAULT_HOME = savedHome;
    home.cleanup();
  });

  it('generate streams to stdout, --json prints one object, embed prints {dimension, vector}', async () => {
    const [streamed, json, embed] = await Promise.all([
      cli(['generate', 'Once upon a time', '--model', tinyModel, '--max-tokens', '40', '--temperature', '0.8', '--seed', '42', '--threads', '1', '--gpu', 'cpu']),
      inProcess(['generate', 'Once upon a time', '--model', tinyModel, '--max-tokens', '40', '--temperature', '0.8', '--seed', '42', '--threads', '1', '--gpu', 'cpu', '--stop', 'stick', '--json']),
      inProcess(['embed', 'a small dog', '--model', tinyModel, '--threads', '1', '--gpu', 'cpu', '--json']),
    ]);
    const story = ', there was a little girl named Lily. She had a stick that she loved to fly high in her yard. One day, she saw a';
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(streamed.stdout, story + '\n', 'stdout holds the text only');
    assert.match(streamed.stderr, /40 tokens, [\d.]+ tokens\/s, first token after \d+ ms, stop: maxTokens/);

    assert.equal(json.code, 0, json.stderr);
    const lines = json.stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'exactly one JSON line');
    const obj = JSON.parse(lines[0]) as { text: string; tokens: number; tokensPerSecond: number; stopReason: string };
    assert.deepEqual(Object.keys(obj).sort(), ['stopReason', 'text', 'tokens', 'tokensPerSecond']);
    assert.equal(obj.text, ', there was a little girl named Lily. She had a');
    assert.equal(obj.stopReason, 'stop');
    assert.ok(obj.tokens > 0 && obj.tokensPerSecond > 0);

    assert.equal(embed.code, 0, embed.stderr);
    const e = JSON.parse(embed.stdout) as { dimension: number; vector: number[] };
    assert.equal(e.dimension, 64);
    assert.equal(e.vector.length, 64);
    assert.ok(Math.abs(Math.hypot(...e.vector) - 1) < 1e-6);
  });

  it('models inspect prints metadata, and refuses a text file with the reason', async () => {
    const text = join(home.dir, 'notes.gguf');
    writeFileSync(text, '# My notes\nnot a model\n');
    const [bad, usage] = await Promise.all([inProcess(['models', 'inspect', text]), inProcess(['generate', 'x'])]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, '');
    assert.match(bad.stderr, /^codex-vault models inspect: .*notes\.gguf is not a GGUF model file \(bad magic: starts with "# My", expected "GGUF"\)\.\n$/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--model is required/);
    const ok = await inProcess(['models', 'inspect', tinyModel, '--context', '1024', '--gpu', 'cpu', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    const r = JSON.parse(ok.stdout) as { gguf: { architecture: string; parameterCount: number; hasChatTemplate: boolean }; estimate: { contextSize: number }; fit: { fits: boolean } };
    assert.equal(r.gguf.architecture, 'llama');
    assert.equal(r.gguf.parameterCount, 292_800);
    assert.equal(r.gguf.hasChatTemplate, false);
    assert.equal(r.estimate.contextSize, 1024);
    assert.equal(r.fit.fits, true);
  });
});
