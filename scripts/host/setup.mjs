#!/usr/bin/env node
// Installs what the real-host tests and `npm start` need, idempotently:
//   1. Debian packages (Chromium, libkrb5-dev) through scripts/host/apt-deps.sh when running as root;
//   2. code-server 4.100.3 (VS Code 1.100: the real VS Code workbench + extension host, from npm) into
//      <repo>/.cache/code-server: the default host of every real-host test and of `npm start`;
//   3. a second host for what needs a newer VS Code (the MCP server definition provider, 1.101+):
//      code-server 4.103.2 (VS Code 1.103) into <repo>/.cache/code-server-4.103.2. It requires Node 22,
//      which npm's `node` package provides (node@22.x into <repo>/.cache/node-22; its binary runs
//      that code-server, and its headers build code-server's native modules), so the default host and
//      the Node that runs the tests stay as they are.
// Test tools, kept out of the extension's dependencies.
// @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall, which these
// machines cannot reach, so its download cache is seeded first with the rg binary that the npm package
// @vscode/ripgrep-<platform> ships (see ../shared/docs/vscode-host.md); each code-server version pins
// its own @vscode/ripgrep, which looks in a cache folder named after its own version.
// Prints what it did; exits non-zero with a specific message when something cannot be installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_BINARY_PACKAGE_VERSION = '1.18.0';

/** The second host: a newer VS Code, on its own Node. */
export const NEXT_HOST = {
  codeServer: '4.103.2',
  vscode: '1.103',
  node: '22.23.3',
};

/** The @vscode/ripgrep each code-server pins, and the ripgrep release asset its postinstall looks for. */
const RIPGREP = {
  '4.100.3': { wrapper: '1.15.11', release: 'v13.0.0-10' },
  '4.103.2': { wrapper: '1.15.14', release: 'v13.0.0-13' },
};

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const codeServerDir = join(root, '.cache', 'code-server');
export const codeServerBin = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const nextCodeServerDir = join(root, '.cache', `code-server-${NEXT_HOST.codeServer}`);
export const nextCodeServerBin = join(nextCodeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const node22Dir = join(root, '.cache', 'node-22');
/** The Node 22 binary npm's `node` package installs (a copy of its platform package's bin/node). */
export const node22Bin = join(node22Dir, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');

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

function seedRipgrepCache(codeServerVersion) {
  const { wrapper, release } = RIPGREP[codeServerVersion];
  const { triple, pkg } = ripgrepTriple();
  const cache = join(tmpdir(), `vscode-ripgrep-cache-${wrapper}`);
  const asset = join(cache, `ripgrep-${release}-${triple}.tar.gz`);
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
    log(`seeded ripgrep cache ${wrapper} from ${pkg}@${RIPGREP_BINARY_PACKAGE_VERSION}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function installedVersion(dir) {
  try {
    if (!existsSync(join(dir, '.installed')) || !existsSync(join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) return undefined;
    return JSON.parse(readFileSync(join(dir, 'node_modules', 'code-server', 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/** npm install of one package into `dir` (a private package.json there), with extra environment. */
function npmInstall(dir, name, version, env = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: `codex-vault-test-${name}`, private: true, description: `${name} for Codex Vault real-host tests (not shipped)`,
    dependencies: { [name]: version },
  }, null, 2) + '\n');
  // Run as `npm test` does, this inherits npm's own npm_* variables (npm_config_user_agent names the
  // Node that ran the outer npm, and the inner npm takes it as config): code-server's postinstall reads
  // its Node version from there, so they are dropped and the inner npm describes itself.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: { ...inherited, ...env } });
}

function installCodeServer(version, dir, env = {}) {
  if (installedVersion(dir) === version) return log(`code-server ${version} already installed in ${dir}`);
  seedRipgrepCache(version);
  log(`installing code-server@${version} into ${dir} (a few minutes on a cold cache)`);
  const t = Date.now();
  // As root, code-server's postinstall needs unsafe-perm; node-pty's build calls npx, which must not prompt.
  npmInstall(dir, 'code-server', version, { npm_config_unsafe_perm: 'true', npm_config_yes: 'true', ...env });
  if (!existsSync(join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'))) throw new Error(`code-server ${version} installed but its entry.js is missing`);
  writeFileSync(join(dir, '.installed'), `${version}\n`);
  log(`code-server ${version} installed in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

/** The folder of Node 22's headers: the platform package that npm's `node` package installed (include/node). */
function node22Headers() {
  const base = join(node22Dir, 'node_modules', 'node', 'node_modules');
  const platformPkg = existsSync(base) ? readdirSync(base).find((d) => /^node-(linux|darwin|win)/.test(d)) : undefined;
  if (!platformPkg || !existsSync(join(base, platformPkg, 'include', 'node'))) throw new Error(`Node ${NEXT_HOST.node} has no headers under ${base}`);
  return join(base, platformPkg);
}

function installNode22() {
  const have = existsSync(node22Bin) ? spawnSync(node22Bin, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (have === `v${NEXT_HOST.node}`) return log(`Node ${NEXT_HOST.node} already installed in ${node22Dir}`);
  log(`installing node@${NEXT_HOST.node} (npm's node package) into ${node22Dir}`);
  npmInstall(node22Dir, 'node', NEXT_HOST.node);
  const got = spawnSync(node22Bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (got !== `v${NEXT_HOST.node}`) throw new Error(`node@${NEXT_HOST.node} installed, but ${node22Bin} reports "${got}"`);
}

/**
 * code-server 4.103.2 checks that npm runs on Node 22 and builds its native modules for the Node that
 * runs npm: so npm runs with Node 22 first on PATH, and node-gyp takes that Node's headers from its
 * package (npm_config_nodedir) instead of downloading them.
 */
function installNextHost() {
  installNode22();
  installCodeServer(NEXT_HOST.codeServer, nextCodeServerDir, {
    PATH: `${dirname(node22Bin)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: node22Headers(),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    debianDeps();
    installCodeServer(CODE_SERVER_VERSION, codeServerDir);
    if (!process.argv.includes('--default-host-only')) installNextHost();
  } catch (e) {
    console.error(`host set-up failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
