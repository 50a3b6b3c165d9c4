// A reader killed while it holds SQLite's lock directory must not lock out a writer that is
// already running (an editor's vault worker holds the vault for hours). Real processes on a real
// vault: a writer child re-indexes a note every 100 ms and reports each write; a reader child
// (or a real `codex-vault search`) is killed in the middle of a read, seen holding `<db>.lock`
// first; the writer's writes must resume within a few seconds. And a live reader's lock is never
// taken away: the writer waits for it, however long.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Vault } from '../../../src/vault/vault';
import { repoRoot, tempDir } from '../../helpers/paths';
import { spawnChild, type Child } from './support/child';
import { copyRustBook } from './support/vaultFixtures';

const t = tempDir('cv-readerlock-');
const cli = join(repoRoot, 'dist', 'cli.js');
/** "Within a few seconds": the stale bound is 1 s; the rest is room for a loaded machine. */
const RESUME_MS = 8000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

before(() => {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

after(() => t.cleanup());

interface Line {
  text: string;
  at: number;
}

/** Every stdout line of a child, with when it came. */
function record(child: Child): Line[] {
  const lines: Line[] = [];
  let buf = '';
  child.proc.stdout.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push({ text: buf.slice(0, i), at: performance.now() });
      buf = buf.slice(i + 1);
    }
  });
  return lines;
}

const okNumber = (l: string): number => (l.startsWith('ok ') ? Number(l.split(' ')[1]) : -1);
/** The number of the writer's last acknowledged write so far. */
const lastOk = (lines: Line[]): number => Math.max(0, ...lines.map((l) => okNumber(l.text)));

/** A vault over `notes` (indexed here, before the writer starts). */
async function makeVault(name: string, notes: string): Promise<string> {
  const db = join(t.dir, `${name}.vault`);
  writeFileSync(join(notes, 'live.md'), '# Live note\n\nNot written yet.\n');
  const v = Vault.open(db);
  await v.indexRoots([notes]);
  v.close();
  return db;
}

/** What `<db>.holders` announces for process `pid`. */
function announcedBy(db: string, pid: number): string[] {
  try {
    return readdirSync(`${db}.holders`).filter((n) => n.startsWith(`${pid}-`));
  } catch {
    return [];
  }
}

interface Search {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  /** The exit, with everything printed; `at` is when it came. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string; at: number }>;
}

/** A real `codex-vault search` process, as a user runs it. */
function search(db: string, query: string, limit: number): Search {
  const p = spawn(process.execPath, [cli, 'search', query, '--db', db, '--limit', String(limit), '--json'], { cwd: t.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    pid: p.pid!,
    kill: (signal) => p.kill(signal),
    ended: new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, out, err, at: performance.now() }))),
  };
}

/** A reader child inside a read transaction for `ms`, reporting the lock directory it holds. */
async function holdingReader(db: string, ms: number): Promise<{ reader: Child; lines: Line[] }> {
  const reader = spawnChild('slowReader.ts', [db, 'hold', String(ms)]);
  const lines = record(reader);
  await reader.waitFor((l) => l.startsWith('holding'), 60_000);
  return { reader, lines };
}

/** What a holding reader saw: the same lock directory at every look, never gone. */
function assertLockKept(readerLines: Line[], minLooks: number): void {
  const ids = readerLines.filter((l) => l.text.startsWith('lock ')).map((l) => l.text);
  assert.ok(ids.length >= minLooks, `the reader looked at the lock ${ids.length} times`);
  assert.notEqual(ids[0], 'lock gone');
  assert.deepEqual([...new Set(ids)], [ids[0]], 'the reader\'s lock directory stayed the same one throughout: nobody removed or replaced it');
}

/** Starts the writer and waits for its first writes. */
async function startWriter(db: string, notes: string): Promise<{ child: Child; lines: Line[] }> {
  const child = spawnChild('liveWriter.ts', [db, notes]);
  const lines = record(child);
  await child.waitFor((l) => okNumber(l) >= 3, 60_000);
  return { child, lines };
}

/** After the writer stops: its last acknowledged write is in the vault, which is intact. */
async function closeWriterAndCheck(writer: Child, db: string): Promise<void> {
  writer.send('close');
  const closed = await writer.waitFor((l) => l.startsWith('closed '));
  await writer.exited;
  const last = Number(closed.split(' ')[1]);
  const v = Vault.open(db, { readOnly: true });
  try {
    assert.equal(v.integrityCheck(), 'ok');
    // The last tick may have failed; the one before it at the latest was acknowledged.
    const found = [last, last - 1].some((n) => v.searchLexical(`tick${n}`, { limit: 1 })[0]?.path === 'live.md');
    assert.ok(found, `the writer's last writes (tick${last - 1} or tick${last}) are in the vault`);
  } finally {
    v.close();
  }
  assert.ok(!existsSync(`${db}.lock`) && !existsSync(`${db}.owner`) && !existsSync(`${db}.holders`), 'nothing left beside the vault');
}

test('a reader killed with SIGKILL in the middle of a slow read: the running writer writes again within seconds', async (tt) => {
  const notes = join(t.dir, 'kill-notes');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md', 'ch15-01-box.md']);
  const db = await makeVault('kill', notes);
  const { child: writer, lines } = await startWriter(db, notes);
  let reader: Child | undefined;
  try {
    reader = spawnChild('slowReader.ts', [db, 'hang']);
    await reader.waitFor((l) => l.startsWith('holding'), 60_000);
    const pid = reader.proc.pid!;
    assert.ok(existsSync(`${db}.lock`), 'the reader holds SQLite\'s lock directory');
    assert.equal(announcedBy(db, pid).length, 1, 'the reader announced that it may hold it');
    // It holds it against the writer: no write gets through meanwhile.
    await sleep(200);
    const okBefore = lastOk(lines);
    await sleep(600);
    assert.equal(lastOk(lines), okBefore, 'the writer is kept waiting by the reader');

    reader.proc.kill('SIGKILL');
    assert.equal((await reader.exited).signal, 'SIGKILL');
    const killedAt = performance.now();
    assert.ok(existsSync(`${db}.lock`), 'the killed reader left its lock directory behind');
    assert.equal(announcedBy(db, pid).length, 1, 'and its announcement');

    const resumed = await writer.waitFor((l) => okNumber(l) > okBefore, RESUME_MS + 5000);
    const at = lines.find((l) => l.text === resumed)!.at;
    tt.diagnostic(`the writer wrote again ${Math.round(at - killedAt)} ms after the kill`);
    assert.ok(at - killedAt < RESUME_MS, `writes resumed ${Math.round(at - killedAt)} ms after the kill`);
    // And it goes on writing.
    const n = okNumber(resumed);
    await writer.waitFor((l) => okNumber(l) >= n + 3, 10_000);
    assert.deepEqual(announcedBy(db, pid), [], 'the dead reader\'s announcement was removed');
    await closeWriterAndCheck(writer, db);
  } finally {
    reader?.proc.kill('SIGKILL');
    writer.proc.kill('SIGKILL');
    await Promise.all([reader?.exited, writer.exited]);
  }
});

test('Ctrl+C (SIGINT) on a real `codex-vault search` mid-query: the running writer writes again within seconds', async (tt) => {
  // A query made slow on purpose (as in cliSignals.test.ts): one note of a single word repeated
  // over 1.9 MB, searched for that word with 500 results.
  const notes = join(t.dir, 'search-notes');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md']);
  writeFileSync(join(notes, 'pasted.md'), 'word '.repeat(380_000));
  const db = await makeVault('search', notes);
  const { child: writer, lines } = await startWriter(db, notes);
  try {
    const s = search(db, 'word', 500);
    const pid = s.pid;
    // Mid-query: the search announced (it may hold the lock) and the lock directory exists, for
    // 30 ms on end. A connection refused the lock withdraws its announcement at once, so this is
    // the search holding it, not waiting for the writer's.
    const deadline = performance.now() + 60_000;
    let since = -1;
    while (performance.now() < deadline) {
      if (announcedBy(db, pid).length > 0 && existsSync(`${db}.lock`)) {
        if (since < 0) since = performance.now();
        if (performance.now() - since >= 30) break;
      } else since = -1;
      await sleep(3);
    }
    assert.ok(since >= 0 && performance.now() - since >= 30, 'the search was seen holding its read lock');
    const okBefore = lastOk(lines);
    s.kill('SIGINT');
    const e = await s.ended;
    const killedAt = e.at;
    assert.equal(e.signal, 'SIGINT', `ended by SIGINT's default action (code ${e.code}); stderr: ${e.err}`);
    assert.equal(e.out, '', 'interrupted before any result');
    assert.equal(announcedBy(db, pid).length, 1, 'it died inside its read (its announcement stayed)');

    const resumed = await writer.waitFor((l) => okNumber(l) > okBefore, RESUME_MS + 5000);
    const at = lines.find((l) => l.text === resumed)!.at;
    tt.diagnostic(`the writer wrote again ${Math.round(at - killedAt)} ms after the search ended`);
    assert.ok(at - killedAt < RESUME_MS, `writes resumed ${Math.round(at - killedAt)} ms after the search ended`);
    const n = okNumber(resumed);
    await writer.waitFor((l) => okNumber(l) >= n + 3, 10_000);
    assert.deepEqual(announcedBy(db, pid), []);
    // And the next search works (the writer is still running).
    const again = await search(db, 'ownership', 1).ended;
    assert.equal(again.code, 0, again.err);
    assert.equal((JSON.parse(again.out) as { path: string }[])[0]?.path, 'ch04-01-what-is-ownership.md');
    await closeWriterAndCheck(writer, db);
  } finally {
    writer.proc.kill('SIGKILL');
    await writer.exited;
  }
});

test('a live reader\'s lock is never removed: the writer waits through a 6 s read transaction, then writes', async () => {
  const notes = join(t.dir, 'hold-notes');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md']);
  const db = await makeVault('hold', notes);
  const { child: writer, lines } = await startWriter(db, notes);
  let reader: Child | undefined;
  try {
    // Longer than the stale bound (1 s) and than a write waits before it gives up (5 s).
    const held = await holdingReader(db, 6000);
    reader = held.reader;
    const readerLines = held.lines;
    const heldFrom = performance.now();
    await reader.waitFor((l) => l === 'released', 60_000);
    const releasedAt = readerLines.find((l) => l.text === 'released')!.at;
    assertLockKept(readerLines, 20);
    // The writer waited: nothing written while the reader held the lock, and the write that
    // waited longest gave up as "locked" rather than break in.
    const during = lines.filter((l) => l.at > heldFrom + 200 && l.at < releasedAt);
    assert.deepEqual(during.filter((l) => okNumber(l.text) > 0).map((l) => l.text), [], 'no write got through the live reader\'s lock');
    assert.ok(during.some((l) => /^fail \d+ .*locked/.test(l.text)), `the writer reported waiting in vain: ${during.map((l) => l.text).join(' | ')}`);
    await reader.exited;
    const okBefore = lastOk(lines.filter((l) => l.at <= releasedAt));
    const resumed = await writer.waitFor((l) => okNumber(l) > okBefore, RESUME_MS);
    assert.ok(lines.find((l) => l.text === resumed)!.at - releasedAt < RESUME_MS);
    await closeWriterAndCheck(writer, db);
  } finally {
    reader?.proc.kill('SIGKILL');
    writer.proc.kill('SIGKILL');
    await Promise.all([reader?.exited, writer.exited]);
  }
});

test('searches while the writer writes: each waits out the writer\'s moments instead of failing as locked, damaged or "vtable constructor failed"', async () => {
  const notes = join(t.dir, 'busy-notes');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md', 'ch15-01-box.md', 'ch08-01-vectors.md']);
  const db = await makeVault('busy', notes);
  const { child: writer, lines } = await startWriter(db, notes);
  try {
    const okAtStart = lastOk(lines);
    const failures: string[] = [];
    for (let i = 0; i < 8; i++) {
      // Each search opens the vault (the open-time check reads it) and connects the full-text
      // table on its first query: both used to meet the writer's lock unprepared.
      const r = await search(db, 'ownership', 1).ended;
      const path = r.code === 0 ? (JSON.parse(r.out) as { path: string }[])[0]?.path : undefined;
      if (r.code !== 0 || r.err !== '' || path !== 'ch04-01-what-is-ownership.md') failures.push(`search ${i}: exit ${r.code}, ${r.err.trim() || path}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(lastOk(lines) >= okAtStart + 5, `the writer went on writing meanwhile (${lastOk(lines) - okAtStart} writes)`);
    assert.deepEqual(lines.filter((l) => l.text.startsWith('fail ')).map((l) => l.text), [], 'and none of its writes failed');
    await closeWriterAndCheck(writer, db);
  } finally {
    writer.proc.kill('SIGKILL');
    await writer.exited;
  }
});

test('a second reader waits for a live reader\'s long read instead of breaking into its lock', async () => {
  const notes = join(t.dir, 'two-readers');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md']);
  const db = await makeVault('two', notes);
  const { reader, lines: readerLines } = await holdingReader(db, 3000);
  try {
    // A real search, started while the first reader holds the lock with nobody owning the vault
    // (the case an open used to "recover" by removing the directory after 300 ms).
    const r = await search(db, 'ownership', 1).ended;
    await reader.waitFor((l) => l === 'closed', 60_000);
    assertLockKept(readerLines, 10);
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { path: string }[])[0]?.path, 'ch04-01-what-is-ownership.md');
    const releasedAt = readerLines.find((l) => l.text === 'released')!.at;
    assert.ok(r.at > releasedAt, 'the search finished after the first reader let go');
    assert.ok(!existsSync(`${db}.lock`) && !existsSync(`${db}.holders`));
  } finally {
    reader.proc.kill('SIGKILL');
    await reader.exited;
  }
});

test('a writer opening while a live reader reads waits for it: the reader\'s lock untouched, no damage reported', async () => {
  const notes = join(t.dir, 'open-notes');
  copyRustBook(notes, ['ch04-01-what-is-ownership.md']);
  const db = await makeVault('open', notes);
  const { reader, lines: readerLines } = await holdingReader(db, 2500);
  try {
    // Synchronous, as the vault worker opens: it waits here while the reader holds the lock.
    const w = Vault.open(db);
    try {
      assert.equal(w.health.ok, true, w.health.problems.join('; '));
      assert.equal(w.updateFile(notes, 'live.md'), 'unchanged');
    } finally {
      w.close();
    }
    await reader.waitFor((l) => l === 'closed', 60_000);
    assertLockKept(readerLines, 10);
  } finally {
    reader.proc.kill('SIGKILL');
    await reader.exited;
  }
});
