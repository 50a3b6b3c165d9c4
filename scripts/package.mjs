#!/usr/bin/env node
// `npm run package -- --target <vsce target>`: a VSIX for one platform, carrying only that platform's
// engine binaries, built without any network access.
//
// esbuild bundles every dependency into dist/ except node-llama-cpp (ESM-only, with native binaries),
// which the engine host process loads from node_modules at run time. So the VSIX holds:
//   dist/ (production build, no source maps), media/ icons, package.json, README.md, LICENSE, and
//   node_modules/ = node-llama-cpp + its runtime dependencies + the target's @node-llama-cpp/* binaries:
//   CPU and Vulkan builds on Linux/Windows x64 (GPU users get Vulkan; CUDA, at ~540 MB, is too large
//   for a VSIX), Metal on Apple silicon, CPU elsewhere.
// The staged folder's node_modules is copied from this checkout's, so a target whose binaries npm did
// not install here (npm installs only the host platform's) fails with a list of what is missing.
//
// Options: --target <t> (default: this machine's), --out <file.vsix>, --skip-build (reuse the last
// production build), --keep-stage.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** vsce target -> the @node-llama-cpp packages it carries (node-llama-cpp 3.21.1's prebuilt binaries). */
export const TARGET_BINARIES = {
  'linux-x64': ['@node-llama-cpp/linux-x64', '@node-llama-cpp/linux-x64-vulkan'],
  'linux-arm64': ['@node-llama-cpp/linux-arm64'],
  'linux-armhf': ['@node-llama-cpp/linux-armv7l'],
  'darwin-x64': ['@node-llama-cpp/mac-x64'],
  'darwin-arm64': ['@node-llama-cpp/mac-arm64-metal'],
  'win32-x64': ['@node-llama-cpp/win-x64', '@node-llama-cpp/win-x64-vulkan'],
  'win32-arm64': ['@node-llama-cpp/win-arm64'],
};

class PackageError extends Error {}

function parseArgs(argv) {
  const opts = { target: defaultTarget(), out: undefined, build: true, keepStage: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new PackageError(`${a} needs a value`);
      return v;
    };
    if (a === '--target') opts.target = value();
    else if (a.startsWith('--target=')) opts.target = a.slice('--target='.length);
    else if (a === '--out') opts.out = value();
    else if (a === '--skip-build') opts.build = false;
    else if (a === '--keep-stage') opts.keepStage = true;
    else throw new PackageError(`unknown option ${a} (options: --target <t>, --out <file.vsix>, --skip-build, --keep-stage)`);
  }
  if (!Object.hasOwn(TARGET_BINARIES, opts.target)) {
    throw new PackageError(`unknown target "${opts.target}"; one of: ${Object.keys(TARGET_BINARIES).join(', ')}`);
  }
  return opts;
}

function defaultTarget() {
  const arch = process.arch === 'arm' ? 'armhf' : process.arch;
  return `${process.platform}-${arch}`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new PackageError(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Where Node would resolve package `name` from directory `fromDir` (walking up node_modules folders). */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/**
 * The runtime dependency closure of `roots` in this checkout's node_modules: dependencies always,
 * optionalDependencies when installed (except engine binaries of other targets).
 * Returns package directories; a missing required dependency is an error.
 */
function dependencyClosure(roots, allowedBinaries) {
  const seen = new Set();
  const queue = [...roots];
  while (queue.length > 0) {
    const dir = queue.shift();
    if (seen.has(dir)) continue;
    seen.add(dir);
    const pkg = readJson(join(dir, 'package.json'));
    const deps = Object.keys(pkg.dependencies ?? {});
    const optional = Object.keys(pkg.optionalDependencies ?? {})
      .filter((n) => !n.startsWith('@node-llama-cpp/') || allowedBinaries.includes(n));
    for (const name of deps) {
      if (optional.includes(name)) continue;
      const found = resolvePackageDir(name, dir);
      if (!found) throw new PackageError(`${pkg.name} needs ${name}, which is not installed (run npm ci)`);
      queue.push(found);
    }
    for (const name of optional) {
      const found = resolvePackageDir(name, dir);
      if (found) queue.push(found);
    }
  }
  return [...seen];
}

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return total;
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const rootPkg = readJson(join(root, 'package.json'));
  const llamaVersion = rootPkg.dependencies['node-llama-cpp'];
  const binaries = TARGET_BINARIES[opts.target];

  const missing = binaries.filter((b) => !existsSync(join(root, 'node_modules', b, 'package.json')));
  if (missing.length > 0) {
    const have = readdirSync(join(root, 'node_modules', '@node-llama-cpp')).map((n) => `@node-llama-cpp/${n}`);
    throw new PackageError(
      `cannot package ${opts.target}: its engine binaries are not installed in node_modules: ${missing.join(', ')}.\n` +
      `  Installed here: ${have.join(', ') || 'none'}.\n` +
      `  npm installs only this platform's binaries; package ${opts.target} on a ${opts.target} machine (npm ci && npm run package -- --target ${opts.target}),\n` +
      `  or install them here first: npm install --no-save --force ${missing.map((m) => `${m}@${llamaVersion}`).join(' ')}`);
  }

  // The production build runs in a copy of the sources, so the dist/ that tests and `npm start`
  // use in this checkout is never replaced underneath them.
  const buildDir = join(root, '.cache', 'package', 'build');
  if (opts.build) {
    rmSync(buildDir, { recursive: true, force: true });
    mkdirSync(buildDir, { recursive: true });
    for (const f of ['esbuild.mjs', 'package.json', 'tsconfig.json', 'src', 'media', 'migrations']) {
      cpSync(join(root, f), join(buildDir, f), { recursive: true });
    }
    symlinkSync(join(root, 'node_modules'), join(buildDir, 'node_modules'), 'dir');
    run(process.execPath, ['esbuild.mjs', '--production'], { cwd: buildDir });
  }
  const dist = join(buildDir, 'dist');
  for (const f of ['extension.js', 'engine-host.mjs', 'vault-worker.js', 'prepare-worker.js', 'file-hasher.js', 'cli.js', 'mcp-server.js', 'media/chatMain.js']) {
    if (!existsSync(join(dist, f))) throw new PackageError(`dist/${f} is missing after the build`);
  }

  const stage = join(root, '.cache', 'package', opts.target);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  // The built extension, without source maps (they would double the size and point at absent sources).
  cpSync(dist, join(stage, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  // Icons referenced by package.json (activity bar, views): files under media/ other than sources.
  mkdirSync(join(stage, 'media'), { recursive: true });
  for (const f of readdirSync(join(root, 'media'))) {
    if (/\.(svg|png)$/.test(f)) cpSync(join(root, 'media', f), join(stage, 'media', f));
  }
  for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(stage, f));
  if (existsSync(join(root, 'docs', 'screenshots'))) cpSync(join(root, 'docs', 'screenshots'), join(stage, 'docs', 'screenshots'), { recursive: true });

  // package.json: only the engine and this target's binaries remain as dependencies; no scripts
  // (vsce would run vscode:prepublish), no dev tooling, no CLI bin (the CLI ships with npm, not the VSIX).
  const pkg = { ...rootPkg };
  delete pkg.devDependencies;
  delete pkg.scripts;
  delete pkg.bin;
  delete pkg.private;
  pkg.dependencies = { 'node-llama-cpp': llamaVersion };
  for (const b of binaries) pkg.dependencies[b] = readJson(join(root, 'node_modules', b, 'package.json')).version;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');

  const roots = [join(root, 'node_modules', 'node-llama-cpp'), ...binaries.map((b) => join(root, 'node_modules', b))];
  const closure = dependencyClosure(roots, binaries);
  for (const dir of closure) {
    const rel = relative(root, dir);
    cpSync(dir, join(stage, rel), {
      recursive: true,
      // Nested node_modules are copied as closure members of their own. llama.cpp's sources (a 34 MB
      // git bundle) and build caches inside node-llama-cpp serve compiling from source, which the
      // engine never does (it calls getLlama with build: 'never').
      filter: (src) => {
        const r = relative(dir, src);
        return !r.startsWith('node_modules') && !/^llama[\\/](llama\.cpp|localBuilds|toolchains|gitRelease\.bundle)\b/.test(r) && !src.endsWith('.map');
      },
    });
  }
  const nodeModulesBytes = dirBytes(join(stage, 'node_modules'));
  console.log(`package: staged ${closure.length} packages (${mb(nodeModulesBytes)}) for ${opts.target}: node-llama-cpp ${llamaVersion} + ${binaries.join(', ')}`);

  const out = opts.out ?? join(root, `${pkg.name}-${pkg.version}-${opts.target}.vsix`);
  mkdirSync(dirname(out), { recursive: true });
  const { createVSIX } = require('@vscode/vsce');
  // vsce lists the staged node_modules with `npm list` (local only: no network). The repository
  // field is not required of a locally installed VSIX.
  await createVSIX({
    cwd: stage,
    packagePath: out,
    target: opts.target,
    dependencies: true,
    useYarn: false,
    allowMissingRepository: true,
    // README images stay relative: they ship in the VSIX (docs/screenshots) and VS Code shows them
    // from the installed extension; there is no public repository URL to rewrite them to.
    rewriteRelativeLinks: false,
    skipLicense: false,
  });
  const size = statSync(out).size;
  console.log(`package: ${relative(process.cwd(), out) || out} ${mb(size)} (${size} bytes) for ${opts.target}`);
  if (!opts.keepStage) rmSync(stage, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`package failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
