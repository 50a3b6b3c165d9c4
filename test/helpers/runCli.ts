// Runs the CLI as a user does: the built dist/cli.js when present (else the source through tsx),
// as a real subprocess; a non-zero exit is returned, not thrown.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths';

const run = promisify(execFile);
const built = join(repoRoot, 'dist', 'cli.js');

export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const argv = existsSync(built) ? [built, ...args] : ['--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), ...args];
  try {
    const r = await run(process.execPath, argv, { cwd: repoRoot, env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}
