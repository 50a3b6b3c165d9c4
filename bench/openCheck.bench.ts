// `npm run bench openCheck`: what the open-time health check (src/vault/db/health.ts) costs on the
// generated 10k-note vault (~50k chunks, ~60 MB), beside the named baselines measured in the same
// run: SQLite's PRAGMA quick_check and integrity_check (what a full check costs, which is why it
// runs in `doctor` and in the extension's background instead), and a whole `codex-vault search`
// process (what a user waits for anyway). Also how often it finds 40 and 5 pages overwritten with
// random bytes. Figures are printed, never asserted.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCheck } from '../src/vault/db/health';
import { forgetHealth, openDatabase } from '../src/vault/db/openDatabase';
import { Vault } from '../src/vault/vault';
import { overwritePages, randomPages } from '../test/helpers/damage';

const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
}

function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  return { value, wall: performance.now() - t, cpu: cpuMs(c) };
}

function damage(src: string, dst: string, pages: number, seed: number): void {
  copyFileSync(src, dst);
  overwritePages(dst, randomPages(dst, pages, seed), { seed });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'cv-bench-open-'));
  try {
    const notes = join(work, 'notes');
    const db = join(work, 'v10k.db');
    console.log('generating and indexing 10k notes...');
    const g = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'vault.bench.ts'), '--generate', notes, '10000'], { cwd: root, stdio: 'inherit' });
    if (g.status !== 0) throw new Error('generating the vault failed');
    const v = Vault.open(db);
    await v.indexRoots([notes]);
    v.close();
    const size = statSync(db).size;
    console.log(`vault: ${(size / 1048576).toFixed(1)} MB, ${size / 4096} pages; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

    // The check alone, on an open connection (warm: the OS has the file cached, as after any use).
    const opened = openDatabase(db, { readOnly: true });
    const checks: { wall: number; cpu: number }[] = [];
    try {
      for (let i = 0; i < 21; i++) checks.push(timed(() => openCheck(opened.db)));
      const quick = timed(() => opened.db.all('PRAGMA quick_check'));
      const integrity = timed(() => opened.db.all('PRAGMA integrity_check'));
      // A whole open (recovery look, connection, check) as every command does it.
      const opens: { wall: number; cpu: number }[] = [];
      for (let i = 0; i < 11; i++) {
        forgetHealth(db);
        opens.push(timed(() => openDatabase(db, { readOnly: true }).close()));
      }
      const searches: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [cli, 'search', 'lighthouse harbour', '--db', db, '--json'], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`search failed: ${r.stderr}`);
        searches.push(performance.now() - t);
      }
      const f = (x: number): string => x.toFixed(1).padStart(8);
      console.log('\n                                         wall ms    CPU ms');
      console.log(`open-time check (median of 21)         ${f(median(checks.map((c) => c.wall)))}  ${f(median(checks.map((c) => c.cpu)))}`);
      console.log(`whole open with the check (median 11)  ${f(median(opens.map((c) => c.wall)))}  ${f(median(opens.map((c) => c.cpu)))}`);
      console.log(`baseline: PRAGMA quick_check           ${f(quick.wall)}  ${f(quick.cpu)}`);
      console.log(`baseline: PRAGMA integrity_check       ${f(integrity.wall)}  ${f(integrity.cpu)}`);
      console.log(`baseline: a codex-vault search process ${f(median(searches))}         (median of 5, wall)`);
    } finally {
      opened.close();
    }

    // How often the open-time check notices random damage (it reads up to 2048 of the pages).
    for (const pages of [40, 5]) {
      let found = 0;
      const trials = 20;
      for (let s = 1; s <= trials; s++) {
        const copy = join(work, 'damaged.db');
        damage(db, copy, pages, s);
        const o = openDatabase(copy, { readOnly: true });
        if (!o.health.ok) found++;
        o.close();
        rmSync(copy, { force: true });
      }
      console.log(`${pages} random pages overwritten: found on open in ${found}/${trials} trials`);
    }
    console.log(`load average now ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
