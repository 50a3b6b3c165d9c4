// Bundles every entry point of Codex Vault into dist/.
// - extension (CJS, `vscode` external) and the vault worker: loaded by the extension host.
// - cli (CJS with a shebang): the `codex-vault` bin.
// - engine host (ESM): the child process that owns node-llama-cpp. node-llama-cpp is ESM-only
//   and ships native binaries, so it stays external and only this ESM entry imports it.
// - media/*: webview scripts (IIFE for the browser) and styles.
// The WASM file of node-sqlite3-wasm is copied beside the bundles (it is loaded from __dirname).
// --production: minified, no source maps, and the test hooks compiled out (CODEX_VAULT_TEST_HOOKS
// is false, so esbuild drops the code behind it). --outdir <dir> builds somewhere else than dist/.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdirArg = process.argv.indexOf('--outdir');
const out = outdirArg > 0 ? resolve(process.argv[outdirArg + 1]) : join(root, 'dist');
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // node-llama-cpp carries native binaries per platform; it is loaded from node_modules at run time.
  external: ['vscode', 'node-llama-cpp', '@node-llama-cpp/*'],
  define: { CODEX_VAULT_TEST_HOOKS: production ? 'false' : 'true' },
};

/** In the CLI bundle, `import('../mcp/serve')` loads dist/mcp-server.js at run time instead of bundling it. */
const separateMcpServer = {
  name: 'separate-mcp-server',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/mcp\/serve$/ }, () => ({ path: './mcp-server.js', external: true }));
  },
};

/** Entries are added as their layers land; a missing source file is skipped, not an error. */
const nodeEntries = [
  { in: 'src/extension.ts', out: 'extension', format: 'cjs' },
  { in: 'src/cli.ts', out: 'cli', format: 'cjs', banner: '#!/usr/bin/env node', plugins: [separateMcpServer] },
  // `codex-vault mcp`'s server with the MCP SDK: its own bundle, which the CLI loads only for that command.
  { in: 'src/cli/mcp/serve.ts', out: 'mcp-server', format: 'cjs' },
  { in: 'src/worker/vaultWorkerMain.ts', out: 'vault-worker', format: 'cjs' },
  // The indexer's parse thread, started from the bundle beside it (extension, vault worker, CLI).
  { in: 'src/vault/index/prepareWorkerMain.ts', out: 'prepare-worker', format: 'cjs' },
  // A download's hashing thread (follows the part as it is written).
  { in: 'src/engine/download/fileHasherMain.ts', out: 'file-hasher', format: 'cjs' },
  { in: 'src/engine/host/engineMain.ts', out: 'engine-host', format: 'esm', ext: '.mjs' },
].filter((e) => existsSync(join(root, e.in)));

const mediaEntries = existsSync(join(root, 'media'))
  ? readdirSync(join(root, 'media'))
      .filter((f) => /^[a-zA-Z]+Main\.ts$/.test(f))
      .map((f) => join('media', f))
  : [];

const builds = nodeEntries.map((e) => ({
  ...common,
  entryPoints: { [e.out]: join(root, e.in) },
  outdir: out,
  format: e.format,
  outExtension: e.ext ? { '.js': e.ext } : undefined,
  plugins: e.plugins ?? [],
  banner: e.banner ? { js: e.banner } : e.format === 'esm'
    // ESM bundles of CJS dependencies need require/__dirname.
    ? { js: "import { createRequire as __cvCreateRequire } from 'node:module'; import { fileURLToPath as __cvFileURLToPath } from 'node:url'; import { dirname as __cvDirname } from 'node:path'; const require = __cvCreateRequire(import.meta.url); const __filename = __cvFileURLToPath(import.meta.url); const __dirname = __cvDirname(__filename);" }
    : undefined,
}));

if (mediaEntries.length > 0) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: mediaEntries.map((p) => join(root, p)),
    outdir: join(out, 'media'),
    loader: { '.css': 'css', '.ttf': 'file' },
  });
}

function copyAssets() {
  const wasm = join(root, 'node_modules', 'node-sqlite3-wasm', 'dist', 'node-sqlite3-wasm.wasm');
  cpSync(wasm, join(out, 'node-sqlite3-wasm.wasm'));
  cpSync(join(root, 'migrations'), join(out, 'migrations'), { recursive: true });
  // The English word list spelling correction reads (src/vault/search/englishWords.ts), sorted
  // by code unit for its bisection (the package's order is off in two places).
  const words = readFileSync(join(root, 'node_modules', 'word-list', 'words.txt'), 'utf8').split('\n').filter(Boolean);
  writeFileSync(join(out, 'word-list.txt'), words.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join('\n') + '\n');
  const codicons = join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  if (existsSync(codicons)) {
    mkdirSync(join(out, 'media'), { recursive: true });
    cpSync(join(codicons, 'codicon.css'), join(out, 'media', 'codicon.css'));
    cpSync(join(codicons, 'codicon.ttf'), join(out, 'media', 'codicon.ttf'));
  }
  for (const f of existsSync(join(root, 'media')) ? readdirSync(join(root, 'media')) : []) {
    if (f.endsWith('.css')) cpSync(join(root, 'media', f), join(out, 'media', f));
  }
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  copyAssets();
  console.error('esbuild: watching');
} else {
  const t = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
  console.error(`esbuild: ${builds.length} bundle(s) in ${Date.now() - t} ms`);
}
