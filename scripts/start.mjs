#!/usr/bin/env node
// `npm start`: builds the extension and opens it in a real VS Code (code-server on 127.0.0.1, no auth)
// on a sample vault: a temp copy of the Rust book (../shared/corpora/rust-book/src) when present, else
// of sample-vault/. Prints the URL; runs until Ctrl+C, then stops code-server and removes its temp files.
//   PORT=8080 npm start         choose the port (default 8080, or a free one if taken)
//   npm start -- <folder>       open that folder instead (used in place, not copied)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeServerBin } from './host/setup.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function step(title, args) {
  console.log(`== ${title}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function portFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

async function choosePort() {
  const wanted = Number(process.env.PORT ?? 8080);
  if (await portFree(wanted)) return wanted;
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

step('build', ['esbuild.mjs']);
// npm start runs the default host only; the second host (VS Code 1.103) is for the tests that need it.
step('host set-up', ['scripts/host/setup.mjs', '--default-host-only']);

const temp = mkdtempSync(join(tmpdir(), 'codex-vault-start-'));
let workspace = process.argv[2] ? resolve(process.argv[2]) : undefined;
if (workspace && !existsSync(workspace)) {
  console.error(`no such folder: ${workspace}`);
  process.exit(1);
}
if (!workspace) {
  const rustBook = join(root, '..', 'shared', 'corpora', 'rust-book', 'src');
  const source = existsSync(rustBook) ? rustBook : join(root, 'sample-vault');
  workspace = join(temp, existsSync(rustBook) ? 'rust-book' : 'sample-vault');
  // A copy: the extension and the user may write (settings, edits); ../shared stays untouched.
  cpSync(source, workspace, { recursive: true });
  console.log(`== sample vault: a copy of ${source}`);
}

const port = await choosePort();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const exts = join(temp, 'exts');
const userData = join(temp, 'user-data');
mkdirSync(exts, { recursive: true });
mkdirSync(join(userData, 'User'), { recursive: true });
writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false, 'update.mode': 'none',
}, null, 2));
symlinkSync(root, join(exts, `${pkg.publisher}.${pkg.name}-${pkg.version}`), 'dir');
writeFileSync(join(temp, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

const child = spawn(process.execPath, [
  codeServerBin, '--config', join(temp, 'config.yaml'), '--disable-telemetry', '--disable-update-check',
  '--extensions-dir', exts, '--user-data-dir', userData, workspace,
], {
  detached: true,
  stdio: ['ignore', 'pipe', 'pipe'],
  env: { ...process.env, XDG_CONFIG_HOME: join(temp, 'xdg'), XDG_DATA_HOME: join(temp, 'xdg'), XDG_CACHE_HOME: join(temp, 'xdg-cache') },
});
const logFile = join(temp, 'code-server.log');
let log = '';
child.stdout.on('data', (d) => { log += d; });
child.stderr.on('data', (d) => { log += d; });

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
  const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  child.once('exit', () => {
    clearTimeout(t);
    rmSync(temp, { recursive: true, force: true });
    process.exit(code);
  });
  if (child.exitCode !== null) child.emit('exit');
}
process.on('SIGINT', () => { console.log('\nstopping code-server…'); stop(0); });
process.on('SIGTERM', () => stop(0));
child.once('exit', (code) => {
  if (stopping) return;
  writeFileSync(logFile, log);
  console.error(`code-server exited (code ${code}):\n${log.slice(-3000)}`);
  rmSync(temp, { recursive: true, force: true });
  process.exit(1);
});

const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
for (let i = 0; i < 300; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
  } catch { /* not yet */ }
  await new Promise((r) => setTimeout(r, 200));
}
console.log(`\nCodex Vault is running in VS Code (code-server ${'4.100.3'}, no auth, 127.0.0.1 only):\n\n  ${url}\n`);
console.log('Open it in a browser. Try F1 > "Codex Vault: Search Vault" (Ctrl+Alt+F). Ctrl+C stops it.');
