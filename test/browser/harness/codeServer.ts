// Starts a real VS Code (code-server from npm, installed by scripts/host/setup.mjs) on 127.0.0.1 for a test:
// a free port, no auth, XDG and user-data folders in a temp dir (nothing written into the user's home),
// and this repository linked into its extensions folder as codex-vault.codex-vault-<version>.
// Stopped with kill -- -PGID (a plain kill once left its file watcher running).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths';

export const codeServerEntry = join(repoRoot, '.cache', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/**
 * The second host, for what needs VS Code 1.101+: code-server 4.103.2 (VS Code 1.103) on the Node 22
 * that npm's `node` package installed (both by scripts/host/setup.mjs, which names the versions).
 */
export const nextHost = {
  vscode: '1.103',
  entry: join(repoRoot, '.cache', 'code-server-4.103.2', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  node: join(repoRoot, '.cache', 'node-22', 'node_modules', 'node', 'bin', 'node'),
};
export const resultsDir = join(repoRoot, 'test-results');

export interface CodeServerOptions {
  /** The folder opened in the workbench (and given to code-server). */
  workspace: string;
  /** false drops --disable-workspace-trust, so the workspace starts untrusted (restricted mode). */
  trustAll?: boolean;
  /** Extra environment for code-server and its extension host (e.g. CODEX_VAULT_TEST_SUITE). */
  env?: Record<string, string>;
  /** User settings (settings.json of the user-data dir), merged over quiet test defaults. */
  userSettings?: Record<string, unknown>;
  /** 'next': the second host (VS Code 1.103 on Node 22, see nextHost); default: code-server 4.100.3. */
  host?: 'default' | 'next';
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  /** The temp folder holding config, XDG dirs, user data and extensions. */
  readonly dir: string;
  readonly workspace: string;
  /** code-server's process id, which is also the id of the process group of everything it starts. */
  readonly pid: number;
  /** code-server's stdout/stderr so far. */
  log(): string;
  stop(): Promise<void>;
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.startupPrompt': 'never',
  'files.simpleDialog.enable': true,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited (code ${child.exitCode}) before it was ready:\n${log()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs / 1000} s:\n${log()}`);
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const next = opts.host === 'next';
  const entry = next ? nextHost.entry : codeServerEntry;
  const nodeBin = next ? nextHost.node : process.execPath;
  for (const f of [entry, nodeBin]) {
    if (!existsSync(f)) throw new Error(`the test host is not installed (${f} is missing): run node scripts/host/setup.mjs`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'cv-host-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const exts = join(dir, 'exts');
  const userData = join(dir, 'ud');
  mkdirSync(exts, { recursive: true });
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.userSettings }, null, 2));
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  // A link, not a copy: the extension's node_modules (node-llama-cpp's binaries) are hundreds of MB.
  symlinkSync(repoRoot, join(exts, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');

  const args = [
    entry, '--config', join(dir, 'config.yaml'), '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--extensions-dir', exts, '--user-data-dir', userData,
  ];
  if (opts.trustAll !== false) args.push('--disable-workspace-trust');
  args.push(opts.workspace);
  let output = '';
  const child = spawn(nodeBin, args, {
    detached: true, // its own process group, so stop() ends the whole tree
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: join(dir, 'xdg'),
      XDG_DATA_HOME: join(dir, 'xdg'),
      XDG_CACHE_HOME: join(dir, 'xdg-cache'),
      ...opts.env,
    },
  });
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const log = (): string => output;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000));
    if ((await Promise.race([exited, timeout])) === 'timeout') {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
    }
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `code-server-${port}.log`), output);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(url, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dir, workspace: opts.workspace, pid: child.pid!, log, stop };
}

/** Copies a folder to a fresh temp folder (tests never write into ../shared or the repo). */
export function copyToTemp(src: string, prefix = 'cv-ws-'): string {
  const dest = mkdtempSync(join(tmpdir(), prefix));
  cpSync(src, dest, { recursive: true });
  return dest;
}
