// The layers of src/ import downwards only (see the README's Layout): the vault is a plain library
// that knows no engine, no application service and no worker; the application layer reaches the
// engine through the interface its composition root hands it and keeps no module-level registry;
// nothing below the views imports vscode. Read from the sources' own import statements.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../helpers/paths';

const src = join(repoRoot, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Import { from: string; target: string; typeOnly: boolean }

/** Every import and re-export of the files under src/<layer>: the file, what it imports (a src/ path or a package), and whether only types. */
function imports(layer: string): Import[] {
  const out: Import[] = [];
  for (const file of files(join(src, layer))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
      const spec = m[2]!;
      const target = spec.startsWith('.') ? relative(src, resolve(dirname(file), spec)) : spec;
      out.push({ from: relative(src, file), target, typeOnly: Boolean(m[1]) });
    }
  }
  return out;
}

function offending(layer: string, forbidden: (i: Import) => boolean): string[] {
  return imports(layer).filter(forbidden).map((i) => `${i.from} -> ${i.target}`);
}

const under = (i: Import, ...dirs: string[]): boolean => dirs.some((d) => i.target === d || i.target.startsWith(`${d}/`));

test('src/vault imports no engine, application, worker, view or vscode code', () => {
  assert.deepEqual(offending('vault', (i) => under(i, 'engine', 'app', 'worker', 'views', 'services', 'cli') || i.target === 'vscode'), []);
});

test('src/app imports no vscode, views, host services or worker, and the engine client only as a type', () => {
  assert.deepEqual(offending('app', (i) => under(i, 'views', 'services', 'worker', 'cli') || i.target === 'vscode'), []);
  assert.deepEqual(offending('app', (i) => under(i, 'engine/client', 'engine/host') && !i.typeOnly), [], 'the engine is handed in by the composition root');
});

test('src/app keeps no module-level registry: one object graph, built by the worker\'s composition root', () => {
  const registries: string[] = [];
  for (const file of files(join(src, 'app'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:export\s+)?(?:const|let|var)\s+(\w+)\s*(?::[^=]+)?=\s*(?:new\s+(?:Weak)?(?:Map|Set)\b|\{\s*\})/gm)) {
      registries.push(`${relative(src, file)}: ${m[1]}`);
    }
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:export\s+)?let\s+(\w+)/gm)) registries.push(`${relative(src, file)}: let ${m[1]}`);
  }
  assert.deepEqual(registries, []);
  const builders = files(src).filter((f) => /new EngineClient\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(src, f));
  assert.deepEqual(builders.filter((f) => !f.startsWith('cli')), ['worker/compose.ts'], 'the worker builds its engine client in one place (the CLI builds its own)');
});

test('src/worker and src/engine import no vscode; the engine knows no application layer or worker', () => {
  assert.deepEqual(offending('worker', (i) => i.target === 'vscode' || under(i, 'views', 'services')), []);
  assert.deepEqual(offending('engine', (i) => i.target === 'vscode' || under(i, 'app', 'worker', 'views', 'services')), []);
});
