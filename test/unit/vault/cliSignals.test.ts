// Ctrl+C and SIGTERM on the built CLI (dist/cli.js) as a real subprocess, in the middle of work.
// The search runs over a vault made slow on purpose: one note of a single word repeated over
// 1.9 MB on one line, searched for that word with 500 results (every chunk matches, every result
// is highlighted). Before chunks had a size limit that note was one 1.9 MB chunk whose snippet
// took minutes, and the process ignored signals until it was done; now the query takes about a
// second on a loaded machine, which is still long enough to be interrupted. What is measured is
// how long the process takes to end after the signal.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir } from '../../helpers/paths';
import { copyRustBook } from './support/vaultFixtures';

const t = tempDir();
const cli = join(repoRoot, 'dist', 'cli.js');
const slowDb = join(t.dir, 'slow.vault');
/** A signal counts as obeyed at once when the process is gone within this (generous: the machine is shared). */
const PROMPT_MS = 1500;

before(async () => {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  const notes = join(t.dir, 'slow-notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'pasted.md'), 'word '.repeat(380_000));
  const v = Vault.open(slowDb);
  await v.indexRoots([notes]);
  assert.ok(v.stats().chunks > 1000, 'the line is cut into many chunks');
  v.close();
});

after(() => t.cleanup());

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** Milliseconds from the signal to the exit. */
  afterSignalMs: number;
}

function start(args: string[]): { child: ChildProcess; ended: Promise<Omit<Ended, 'afterSignalMs'> & { at: number }> } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: t.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ended = new Promise<Omit<Ended, 'afterSignalMs'> & { at: number }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal, out, err, at: performance.now() }));
  });
  return { child, ended };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `ready()` has held for `steadyMs` (polling every few ms), or gives up after `timeoutMs`. */
async function waitSteady(ready: () => boolean, steadyMs: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  let since = -1;
  while (performance.now() < deadline) {
    if (ready()) {
      if (since < 0) since = performance.now();
      if (performance.now() - since >= steadyMs) return true;
    } else since = -1;
    await sleep(3);
  }
  return false;
}

/** Sends `signal` once the child is mid-search (SQLite's lock directory held for a while: the query's read transaction). */
async function interruptSearch(signal: NodeJS.Signals): Promise<Ended> {
  const { child, ended } = start(['search', 'word', '--db', slowDb, '--limit', '500', '--json']);
  const mid = await waitSteady(() => existsSync(`${slowDb}.lock`), 30, 60_000);
  assert.ok(mid, 'the search was seen holding its read lock');
  const sentAt = performance.now();
  child.kill(signal);
  const timeout = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const e = await ended;
  clearTimeout(timeout);
  return { ...e, afterSignalMs: e.at - sentAt };
}

function assertEndedBy(e: Ended, signal: NodeJS.Signals, status: number): void {
  // Either the signal's default action (a shell shows 128 + its number) or the handler's exit with that status.
  assert.ok(e.signal === signal || e.code === status, `ended by ${signal} or with ${status}, got code ${e.code} signal ${e.signal}; stderr: ${e.err}`);
}

for (const [signal, status] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal} in the middle of a search ends the process at once, without results, and the vault still answers`, async () => {
    const e = await interruptSearch(signal);
    assertEndedBy(e, signal, status);
    assert.ok(e.afterSignalMs < PROMPT_MS, `ended ${e.afterSignalMs.toFixed(0)} ms after ${signal}`);
    assert.equal(e.out, '', 'no results printed after the signal');
    // A reader killed inside its read transaction leaves SQLite's lock directory; the next search recovers it.
    const again = spawnSync(process.execPath, [cli, 'search', 'word', '--db', slowDb, '--limit', '3', '--json'], { cwd: t.dir, encoding: 'utf8', timeout: 120_000 });
    assert.equal(again.status, 0, again.stderr);
    const hits = JSON.parse(again.stdout) as { path: string; startLine: number; endLine: number }[];
    assert.equal(hits.length, 3);
    assert.ok(hits.every((h) => h.path === 'pasted.md' && h.startLine === 1 && h.endLine === 1));
  });
}

test('SIGINT in the middle of an index stops it with 130, and the next index completes an intact vault', async () => {
  const notes = join(t.dir, 'book');
  const db = join(t.dir, 'book.vault');
  copyRustBook(notes);
  const { child, ended } = start(['index', notes, '--db', db]);
  // Interrupt once the writer owns the vault and has written something.
  const writing = await waitSteady(() => existsSync(`${db}.owner`) && existsSync(db), 50, 60_000);
  assert.ok(writing, 'the index started writing');
  const sentAt = performance.now();
  child.kill('SIGINT');
  const e = await ended;
  assertEndedBy({ ...e, afterSignalMs: 0 }, 'SIGINT', 130);
  assert.ok(e.at - sentAt < 10_000, `ended ${(e.at - sentAt).toFixed(0)} ms after SIGINT (at the next batch)`);
  const rerun = spawnSync(process.execPath, [cli, 'index', notes, '--db', db, '--json'], { cwd: t.dir, encoding: 'utf8', timeout: 300_000 });
  assert.equal(rerun.status, 0, rerun.stderr);
  const v = Vault.open(db, { readOnly: true });
  try {
    assert.equal(v.integrityCheck(), 'ok');
    assert.equal(v.stats().files, (JSON.parse(rerun.stdout) as { totalFiles: number }).totalFiles);
    assert.ok(v.searchLexical('ownership borrowing', { limit: 1 }).length === 1);
  } finally {
    v.close();
  }
});
