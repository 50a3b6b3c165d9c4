// The VSIX a user installs: `npm run package -- --target linux-x64` (offline), installed into a fresh
// code-server with `--install-extension` (no network: a dead proxy is set so any attempt would fail),
// then the installed copy (not this checkout) activates, its chat webview loads, and its engine
// binaries load the tiny model and answer. Set CODEX_VAULT_VSIX to test an existing VSIX instead.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { repoRoot, tinyModel } from '../helpers/paths';
import { codeServerEntry } from './harness/codeServer';
import { copyToTemp, freePort, VAULT_STATUS, Workbench, type CodeServer } from './harness/index';

const TARGET = process.arch === 'arm64' ? 'linux-arm64' : 'linux-x64';
let tmp: string;
let vsix: string;
let server: CodeServer | undefined;
let wb: Workbench | undefined;
let ws: string;

const offlineEnv = (dir: string): NodeJS.ProcessEnv => ({
  ...process.env,
  XDG_CONFIG_HOME: join(dir, 'xdg'), XDG_DATA_HOME: join(dir, 'xdg'), XDG_CACHE_HOME: join(dir, 'xdg-cache'),
  // Any network use would fail: installing a VSIX must need none.
  HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', NO_PROXY: '',
});

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cv-vsix-'));
  vsix = process.env.CODEX_VAULT_VSIX ?? join(tmp, `codex-vault-${TARGET}.vsix`);
  if (!process.env.CODEX_VAULT_VSIX) {
    const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), '--target', TARGET, '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, `packaging failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, new RegExp(`package: .*\\.vsix [\\d.]+ MB \\(\\d+ bytes\\) for ${TARGET}`));
  }
  ws = copyToTemp(join(repoRoot, 'sample-vault'));
  writeFileSync(join(ws, 'zorblax.md'), '# Zorblax\n\nThe zorblax checker enforces one owner per value.\n');
}, { timeout: 240_000 });

after(async () => {
  await wb?.close();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (ws) rmSync(ws, { recursive: true, force: true });
});

test('the VSIX carries only its target\'s engine binaries', () => {
  const size = statSync(vsix).size;
  assert.ok(size < 120 * 1024 * 1024, `the VSIX is ${(size / 1024 / 1024).toFixed(1)} MB`);
  const list = spawnSync('unzip', ['-l', vsix], { encoding: 'utf8' });
  assert.equal(list.status, 0, list.stderr);
  const names = new Set([...list.stdout.matchAll(/extension\/node_modules\/@node-llama-cpp\/([^/]+)\//g)].map((m) => m[1]));
  const expected = TARGET === 'linux-x64' ? ['linux-x64', 'linux-x64-vulkan'] : ['linux-arm64'];
  assert.deepEqual([...names].sort(), expected);
  for (const f of ['extension/dist/extension.js', 'extension/dist/engine-host.mjs', 'extension/dist/vault-worker.js', 'extension/dist/media/chatMain.js', 'extension/dist/node-sqlite3-wasm.wasm', 'extension/node_modules/node-llama-cpp/package.json']) {
    assert.ok(list.stdout.includes(f), `${f} is not in the VSIX`);
  }
  assert.ok(!/\.map\b/.test(list.stdout.replace(/extension\/node_modules\/.*\n/g, '')), 'source maps are not shipped');
});

test('code-server installs the VSIX offline and the installed extension activates, shows its chat and answers with the tiny model', { timeout: 300_000 }, async () => {
  const dir = join(tmp, 'host');
  const exts = join(dir, 'exts');
  const ud = join(dir, 'ud');
  mkdirSync(join(ud, 'User'), { recursive: true });
  writeFileSync(join(ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false, 'update.mode': 'none', 'files.simpleDialog.enable': true,
    'security.workspace.trust.startupPrompt': 'never', 'codexVault.threads': 1, 'codexVault.gpu': 'cpu', 'codexVault.contextSize': 1024,
  }));
  const install = spawnSync(process.execPath, [codeServerEntry, '--extensions-dir', exts, '--user-data-dir', ud, '--install-extension', vsix], { encoding: 'utf8', env: offlineEnv(dir), timeout: 120_000 });
  assert.equal(install.status, 0, `install failed:\n${install.stdout}\n${install.stderr}`);
  const installed = readdirSync(exts).filter((d) => d.startsWith('codex-vault.codex-vault-'));
  assert.equal(installed.length, 1, `installed: ${readdirSync(exts).join(', ')}`);
  assert.ok(existsSync(join(exts, installed[0]!, 'node_modules', '@node-llama-cpp', TARGET, 'package.json')));

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  let output = '';
  const child = spawn(process.execPath, [codeServerEntry, '--config', join(dir, 'config.yaml'), '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--extensions-dir', exts, '--user-data-dir', ud, ws], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: offlineEnv(dir) });
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  server = {
    url, port, dir, workspace: ws, pid: child.pid!, log: () => output,
    stop: async () => {
      const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    },
  };
  for (let i = 0; ; i++) {
    assert.ok(i < 300 && child.exitCode === null, `code-server did not start:\n${output}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  wb = await Workbench.open(server);
  // Activation: the extension's status bar item exists only once it has activated.
  await wb.page.locator(VAULT_STATUS).waitFor({ timeout: 90_000 });
  await wb.runCommand('Codex Vault: Index Workspace');
  await wb.waitForVaultStatus(/files/, 90_000);
  await wb.runCommand('Codex Vault: Open Chat');
  const chat = wb.webviewFrame();
  await chat.getByRole('region', { name: 'No chat model' }).waitFor({ timeout: 60_000 });
  await chat.getByRole('button', { name: /Choose a chat model/ }).click();
  await (await wb.waitForQuickPickRow('Add a local GGUF file')).click();
  await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Add a local GGUF model' }).waitFor();
  await wb.acceptPathInOpenDialog(tinyModel, 'stories260K.gguf');
  await chat.getByRole('region', { name: 'No chat model' }).waitFor({ state: 'detached', timeout: 120_000 });
  await chat.locator('#question').fill('What does the zorblax checker enforce?');
  await chat.locator('#question').press('Enter');
  await chat.locator('.msg.assistant[data-status="complete"]').waitFor({ timeout: 120_000 });
  assert.ok(((await chat.locator('.msg.assistant .msg-body').last().textContent()) ?? '').trim().length > 0, 'the installed engine gave no answer');
  await wb.screenshot('vsix-installed-chat');
});
