#!/usr/bin/env node
// Installs what the real-host tests and `npm start` need, idempotently:
//   1. Debian packages (Chromium, libkrb5-dev) through scripts/host/apt-deps.sh when running as root;
//   2. code-server 4.100.3 (the real VS Code workbench + extension host, from npm) into
//      <repo>/.cache/code-server: a test tool, kept out of the extension's dependencies.
// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall, which these
// machines cannot reach, so its download cache is seeded first with the rg binary that the npm package
// @vscode/ripgrep-<platform> ships (see ../shared/docs/vscode-host.md).
// Prints what it did; exits non-zero with a specific message when something cannot be installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_WRAPPER_VERSION = '1.15.11'; // the @vscode/ripgrep code-server 4.100.3 depends on
const RIPGREP_BINARY_PACKAGE_VERSION = '1.18.0';
const RIPGREP_RELEASE = 'v13.0.0-10';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const codeServerDir = join(root, '.cache', 'code-server');
export const codeServerBin = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const marker = join(codeServerDir, '.installed');

function log(msg) { console.log(`host set-up: ${msg}`); }

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r;
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function debianDeps() {
  const missing = [];
  if (!hasCommand('chromium')) missing.push('chromium');
  if (spawnSync('dpkg', ['-s', 'libkrb5-dev'], { stdio: 'ignore' }).status !== 0) missing.push('libkrb5-dev');
  if (missing.length === 0) return log('chromium and libkrb5-dev present');
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(', ')}. Run as root: bash scripts/host/apt-deps.sh`);
  }
  log(`installing ${missing.join(', ')} with apt`);
  run('bash', [join(root, 'scripts', 'host', 'apt-deps.sh')]);
}

function ripgrepTriple() {
  // The asset names @vscode/ripgrep 1.15.x looks for in its cache.
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch];
  if (process.platform !== 'linux' || !arch) throw new Error(`host tests run on linux x64/arm64, not ${process.platform}-${process.arch}`);
  return { triple: `${arch}-unknown-linux-musl`, pkg: `@vscode/ripgrep-linux-${process.arch}` };
}

function seedRipgrepCache() {
  const { triple, pkg } = ripgrepTriple();
  const cache = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_WRAPPER_VERSION}`);
  const asset = join(cache, `ripgrep-${RIPGREP_RELEASE}-${triple}.tar.gz`);
  if (existsSync(asset)) return log(`ripgrep cache already seeded (${asset})`);
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'cv-rg-'));
  try {
    const packed = spawnSync('npm', ['pack', '--silent', `${pkg}@${RIPGREP_BINARY_PACKAGE_VERSION}`], { cwd: work, encoding: 'utf8' });
    if (packed.status !== 0) throw new Error(`npm pack ${pkg} failed: ${packed.stderr}`);
    const tgz = packed.stdout.trim().split('\n').pop();
    mkdirSync(join(work, 'x'));
    run('tar', ['xzf', join(work, tgz), '-C', join(work, 'x')]);
    run('tar', ['czf', asset, '-C', join(work, 'x', 'package', 'bin'), 'rg']);
    log(`seeded ripgrep cache from ${pkg}@${RIPGREP_BINARY_PACKAGE_VERSION}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function installedVersion() {
  try {
    if (!existsSync(marker) || !existsSync(codeServerBin)) return undefined;
    return JSON.parse(readFileSync(join(codeServerDir, 'node_modules', 'code-server', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

function installCodeServer() {
  if (installedVersion() === CODE_SERVER_VERSION) return log(`code-server ${CODE_SERVER_VERSION} already installed in ${codeServerDir}`);
  seedRipgrepCache();
  mkdirSync(codeServerDir, { recursive: true });
  writeFileSync(join(codeServerDir, 'package.json'), JSON.stringify({
    name: 'codex-vault-test-host', private: true, description: 'code-server for Codex Vault real-host tests (not shipped)',
    dependencies: { 'code-server': CODE_SERVER_VERSION },
  }, null, 2) + '\n');
  log(`installing code-server@${CODE_SERVER_VERSION} into ${codeServerDir} (a few minutes on a cold cache)`);
  const t = Date.now();
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: codeServerDir,
    // As root, code-server's postinstall needs unsafe-perm; node-pty's build calls npx, which must not prompt.
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  if (!existsSync(codeServerBin)) throw new Error(`code-server installed but ${codeServerBin} is missing`);
  writeFileSync(marker, `${CODE_SERVER_VERSION}\n`);
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    debianDeps();
    installCodeServer();
  } catch (e) {
    console.error(`host set-up failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
