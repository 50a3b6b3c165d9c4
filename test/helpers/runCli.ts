// Runs the CLI as a user does: the built dist/cli.js when present (else the source through tsx),
// as a real subprocess; a non-zero exit is returned, not thrown.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { repoRoot, tempDir } from './paths';

const run = promisify(execFile);
const built = join(repoRoot, 'dist', 'cli.js');

/** The node arguments that run the CLI with `args` (the built bundle, else the source through tsx). */
export function cliArgv(args: string[]): string[] {
  return existsSync(built) ? [built, ...args] : ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args];
}

export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const argv = cliArgv(args);
  try {
    const r = await run(process.execPath, argv, { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/**
 * A temp folder with two small notes (ownership, bread) indexed by the CLI into `db`; `env` gives the
 * CLI its own home. The caller calls cleanup().
 */
export async function cliVault(): Promise<{ db: string; env: Record<string, string>; cleanup(): void }> {
  const t = tempDir('cv-cli-');
  const notes = join(t.dir, 'notes');
  mkdirSync(notes);
  writeFileSync(join(notes, 'ownership.md'), '# Ownership\n\nEach value has an owner.\nWhen the owner goes out of scope, the value is dropped.\n');
  writeFileSync(join(notes, 'bread.md'), '# Bread\n\nKnead the dough and let it rise.\n');
  const db = join(t.dir, 'vault.db');
  const env = { CODEX_VAULT_HOME: join(t.dir, 'home') };
  const r = await runCli(['index', notes, '--db', db], env);
  if (r.code !== 0) {
    t.cleanup();
    throw new Error(`codex-vault index failed: ${r.err}`);
  }
  return { db, env, cleanup: () => t.cleanup() };
}

/** Runs the CLI's own main() in this process (the same code path minus a process start), capturing stdout and stderr. */
export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import('../../src/cli');
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  err.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const code = await main(args, { out, err, isTTY: false, signal: new AbortController().signal });
  return { code, stdout, stderr };
}
