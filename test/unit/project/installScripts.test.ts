// npm's install-script allow-list (package.json "allowScripts", npm 11.16+): every dependency in
// the lock file that has an install script is declared, allowed or denied, so that an npm that
// enforces the list (`strict-allow-scripts`, and npm's coming default) neither fails `npm ci` nor
// silently skips a script the checkout needs. A new dependency that brings an undeclared install
// script fails here, in the unit stage, whatever npm version runs it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/paths';

interface LockEntry {
  version?: string;
  hasInstallScript?: boolean;
  optional?: boolean;
  dev?: boolean;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

/** Packages (name -> versions) whose lock entry says they run an install script. */
function withInstallScripts(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || !entry.hasInstallScript) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!found.has(name)) found.set(name, new Set());
    found.get(name)!.add(entry.version ?? '');
  }
  return found;
}

/** An allowScripts key: a bare name, or name@exact versions joined by "||" (npm refuses ranges). */
function parseKey(key: string): { name: string; versions: string[] | null } {
  const at = key.indexOf('@', 1);
  if (at === -1) return { name: key, versions: null };
  const versions = key.slice(at + 1).split('||').map((v) => v.trim());
  for (const v of versions) assert.match(v, /^\d+\.\d+\.\d+(?:-[\w.]+)?$/, `allowScripts key "${key}": npm accepts only exact versions`);
  return { name: key.slice(0, at), versions };
}

test('every dependency with an install script is declared in package.json allowScripts, and no entry is stale', () => {
  const policy = pkg.allowScripts ?? {};
  const scripted = withInstallScripts();
  assert.ok(scripted.size > 0, 'the lock file lists packages with install scripts (esbuild at least)');
  const undeclared: string[] = [];
  for (const [name, versions] of scripted) {
    for (const version of versions) {
      const covered = Object.keys(policy).some((k) => {
        const p = parseKey(k);
        return p.name === name && (p.versions === null || p.versions.includes(version));
      });
      if (!covered) undeclared.push(`${name}@${version}`);
    }
  }
  assert.deepEqual(undeclared, [], `install scripts not declared in package.json "allowScripts" (review each, then \`npm install-scripts approve <pkg>\` or \`deny <pkg>\`, and say why in the README): ${undeclared.join(', ')}`);
  for (const [key, value] of Object.entries(policy)) {
    assert.equal(typeof value, 'boolean', `allowScripts "${key}" must be true or false`);
    assert.ok(scripted.has(parseKey(key).name), `allowScripts "${key}" names no package with an install script any more (npm install-scripts prune)`);
  }
});

test('what must run is allowed: esbuild sets up its platform binary', () => {
  assert.equal(pkg.allowScripts?.esbuild, true);
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

test("node-llama-cpp's postinstall is denied only because every getLlama call says build: 'never'", () => {
  // Its postinstall runs getLlama with build 'auto' (a prebuilt binary that fails its self-test
  // starts a compile of llama.cpp from source); the prebuilt binaries come as npm packages and load
  // without it. Should any caller let node-llama-cpp build, the postinstall would matter again.
  assert.equal(pkg.allowScripts?.['node-llama-cpp'], false);
  const calls: string[] = [];
  for (const file of [...sourceFiles(join(repoRoot, 'src')), ...sourceFiles(join(repoRoot, 'bench'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/getLlama\(([^)]*)\)/g)) calls.push(`${file.slice(repoRoot.length + 1)}: ${m[1]}`);
  }
  assert.ok(calls.length > 0, 'the engine calls getLlama');
  for (const call of calls) {
    const file = call.slice(0, call.indexOf(':'));
    const text = readFileSync(join(repoRoot, file), 'utf8');
    assert.ok(/build: 'never'/.test(call) || (/\.\.\.base\b/.test(call) && /const base = \{[^}]*build: 'never'/.test(text)), `getLlama without build: 'never': ${call}`);
  }
});
