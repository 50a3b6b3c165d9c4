// A process killed with SIGKILL while it holds the models database or state.db must not brick it:
// the next command recovers the dead holder's lock, SQLite's `<db>.lock` directory and its hot
// journal, exactly as a vault's next open does; a live holder is waited for, never broken into.
// Real CLI processes (dist/cli.js when built, as a user runs it), real kills.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SharedModelRecords } from '../../../src/app/models/sharedModelRecords';
import { repoRoot, tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { spawnChild } from '../vault/support/child';
import { FileServer } from './helpers/fileServer';

const built = join(repoRoot, 'dist', 'cli.js');
const cliArgv = (args: string[]): string[] => (existsSync(built) ? [built, ...args] : ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args]);

interface Run {
  kill(): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

function cli(args: string[], env: Record<string, string>): Run {
  const proc = spawn(process.execPath, cliArgv(args), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    kill: () => proc.kill('SIGKILL'),
    done: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, out, err }))),
  };
}

async function ok(args: string[], env: Record<string, string>): Promise<string> {
  const r = await cli(args, env).done;
  assert.equal(r.code, 0, `codex-vault ${args.join(' ')} failed: ${r.err}`);
  return r.out;
}

/** What a killed holder can leave beside a database file. */
function leftovers(db: string): string[] {
  return [
    existsSync(`${db}.owner`) ? 'owner file' : '',
    existsSync(`${db}.lock`) ? 'lock directory' : '',
    existsSync(`${db}-journal`) && statSync(`${db}-journal`).size > 0 ? 'journal' : '',
  ].filter(Boolean);
}

/** A models folder holding a copy of the tiny model; `db` is where its records database goes. */
function modelsFolder(base: string): { dir: string; model: string; db: string } {
  const dir = join(base, 'models');
  mkdirSync(dir);
  const model = join(dir, 'stories260K.gguf');
  copyFileSync(tinyModel, model);
  return { dir, model, db: join(dir, 'codex-vault-models.sqlite') };
}

test('killed inside a write transaction of the models database: models list and verify work again, the half transaction is gone', async () => {
  const t = tempDir();
  try {
    const { dir, model, db } = modelsFolder(t.dir);
    const env = { CODEX_VAULT_HOME: join(t.dir, 'home') };
    await ok(['verify', model, '--sha256', tinyModelSha256], env);

    const holder = spawnChild('../../models/fixtures/recordsHolder.ts', [db, 'in-transaction']);
    await holder.waitFor((l) => l === 'in-transaction');
    holder.proc.kill('SIGKILL');
    await holder.exited;
    assert.deepEqual(leftovers(db), ['owner file', 'lock directory', 'journal'], 'the kill left what a killed download or listing leaves');

    const list = JSON.parse(await ok(['models', 'list', '--dir', dir, '--no-default', '--json'], env)) as { path?: string; status: string }[];
    assert.deepEqual(list.map((m) => m.status), ['verified'], 'the record written before the kill is there');
    assert.deepEqual(leftovers(db), [], 'the listing recovered and released everything');
    const again = JSON.parse(await ok(['verify', model, '--sha256', tinyModelSha256, '--json'], env)) as { match: boolean; cached: boolean };
    assert.deepEqual([again.match, again.cached], [true, true]);
    const records = new SharedModelRecords(db, { create: false }).all();
    assert.equal(records.length, 1, 'none of the killed transaction\'s 400 rows survived');
  } finally {
    t.cleanup();
  }
});

test('killed inside a write transaction of state.db: generate works again', { timeout: 120_000 }, async () => {
  const t = tempDir();
  try {
    const env = { CODEX_VAULT_HOME: join(t.dir, 'home') };
    const gen = ['generate', 'Once upon a time', '--model', tinyModel, '--max-tokens', '4', '--seed', '1', '--threads', '1'];
    const first = await ok(gen, env);
    const db = join(t.dir, 'home', 'state.db');
    const holder = spawnChild('../../models/fixtures/recordsHolder.ts', [db, 'in-transaction']);
    await holder.waitFor((l) => l === 'in-transaction');
    holder.proc.kill('SIGKILL');
    await holder.exited;
    assert.deepEqual(leftovers(db), ['owner file', 'lock directory', 'journal']);
    assert.equal(await ok(gen, env), first, 'same seed, same text: the command works as before');
    assert.deepEqual(leftovers(db), []);
  } finally {
    t.cleanup();
  }
});

test('kill -9 at a random moment of download-model, models list, verify and generate: the next run of the same command succeeds', { timeout: 600_000 }, async (t) => {
  const server = new FileServer();
  await server.start();
  const tiny = readFileSync(tinyModel);
  server.routes.set('/tiny.gguf', { data: tiny, etag: '"tiny"' });
  const dir = tempDir();
  try {
    const manifest = join(dir.dir, 'manifest.json');
    writeFileSync(manifest, JSON.stringify({
      version: 1,
      models: [{ id: 'tiny-stories', name: 'Tiny stories', role: 'chat', quantization: 'F32', contextLength: 2048, license: 'MIT', description: 'stories260K', files: [{ name: 'stories260K.gguf', size: tiny.length, sha256: tinyModelSha256, urls: [server.url('/tiny.gguf')] }] }],
    }));
    // Each trial starts from a fresh folder, so the kill can land in the creation and migration of
    // the database (the first half second the hostile run hit), or in a later write.
    const commands: { name: string; prepare(d: string, env: Record<string, string>): Promise<void>; args(d: string): string[]; db(d: string): string }[] = [
      { name: 'download-model', prepare: async () => undefined, args: (d) => ['download-model', 'tiny-stories', '--dir', join(d, 'models'), '--manifest', manifest, '--no-fit'], db: (d) => join(d, 'models', 'codex-vault-models.sqlite') },
      {
        name: 'models list',
        prepare: async (d, env) => {
          await ok(['verify', modelsFolder(d).model, '--sha256', tinyModelSha256], env);
        },
        args: (d) => ['models', 'list', '--dir', join(d, 'models'), '--manifest', manifest, '--no-default', '--json'],
        db: (d) => join(d, 'models', 'codex-vault-models.sqlite'),
      },
      {
        name: 'verify',
        prepare: async (d) => {
          modelsFolder(d);
        },
        args: (d) => ['verify', join(d, 'models', 'stories260K.gguf'), '--sha256', tinyModelSha256],
        db: (d) => join(d, 'models', 'codex-vault-models.sqlite'),
      },
      { name: 'generate', prepare: async () => undefined, args: () => ['generate', 'Once', '--model', tinyModel, '--max-tokens', '4', '--seed', '1', '--threads', '1'], db: (d) => join(d, 'home', 'state.db') },
    ];
    const TRIALS = 3;
    for (const c of commands) {
      const traces: string[] = [];
      for (let i = 0; i < TRIALS; i++) {
        const d = join(dir.dir, `${c.name.replace(' ', '-')}-${i}`);
        mkdirSync(d);
        const env = { CODEX_VAULT_HOME: join(d, 'home') };
        await c.prepare(d, env);
        const existed = existsSync(c.db(d));
        const run = cli(c.args(d), env);
        if (i === 0) {
          // At a random moment of the first ~half second (Node's start, then the first database use).
          await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 600)));
        } else {
          // On a loaded machine that can land before the command touches the database: aim at the
          // moment it does (its file or owner lock appears), plus a few random milliseconds.
          let exited = false;
          void run.done.then(() => (exited = true));
          const deadline = Date.now() + 60_000;
          const touched = (): boolean => existsSync(`${c.db(d)}.owner`) || (!existed && existsSync(c.db(d)));
          while (!exited && Date.now() < deadline && !touched()) await new Promise((r) => setTimeout(r, 2));
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 25)));
        }
        run.kill();
        const killed = await run.done;
        const left = leftovers(c.db(d));
        traces.push(killed.signal === 'SIGKILL' ? left.join('+') || 'nothing' : `finished first (${killed.code})`);
        const again = await cli(c.args(d), env).done;
        assert.equal(again.code, 0, `${c.name}, trial ${i}: after a kill that left ${left.join(', ') || 'nothing'}: ${again.err}`);
        assert.doesNotMatch(again.err, /locked/);
        assert.deepEqual(leftovers(c.db(d)), [], `${c.name}, trial ${i}: the rerun left no lock or journal`);
      }
      t.diagnostic(`${c.name}: the kills left ${traces.join(', ')}`);
    }
  } finally {
    await server.stop();
    dir.cleanup();
  }
});

test('a live holder of the models database is waited for, never broken into', async () => {
  const t = tempDir();
  try {
    const { model, db } = modelsFolder(t.dir);
    const holder = spawnChild('../../models/fixtures/recordsHolder.ts', [db, 'hold', '4000']);
    await holder.waitFor((l) => l === 'holding');
    assert.equal((JSON.parse(readFileSync(`${db}.owner`, 'utf8')) as { pid: number }).pid, holder.proc.pid);
    let releasedAt = Infinity;
    void holder.waitFor((l) => l === 'released', 60_000).then(() => (releasedAt = Date.now()), () => undefined);
    const out = await ok(['verify', model, '--sha256', tinyModelSha256, '--json'], { CODEX_VAULT_HOME: join(t.dir, 'home') });
    const verifiedAt = Date.now();
    assert.equal((JSON.parse(out) as { match: boolean }).match, true);
    assert.equal((await holder.exited).code, 0, 'the holder finished its work undisturbed');
    assert.ok(releasedAt <= verifiedAt, 'verify waited for the holder to release the database');
    const paths = new SharedModelRecords(db, { create: false }).all().map((r) => r.path);
    assert.equal(paths.length, 2, `both the holder's record and the verify's are there: ${paths.join(', ')}`);
    assert.deepEqual(leftovers(db), []);
  } finally {
    t.cleanup();
  }
});
