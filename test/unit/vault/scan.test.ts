import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { decodeNote } from '../../../src/vault/scan/decode';
import { createPathFilter, scanRoots } from '../../../src/vault/scan/scanner';
import type { ScanResult } from '../../../src/vault/scan/scanner';
import { repoRoot, tempDir, tldrArchive } from '../../helpers/paths';

function put(root: string, rel: string, content: string | Uint8Array = '# note\n'): void {
  const abs = join(root, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

const paths = (r: ScanResult): string[] => r.files.map((f) => f.path);
const skips = (r: ScanResult): [string, string][] => r.skipped.map((s) => [s.path, s.reason]);

/** Every file under dir (no .git), as root-relative paths: the universe a filter decides about. */
function allFiles(dir: string): string[] {
  return execFileSync('find', ['.', '-path', './.git', '-prune', '-o', '-type', 'f', '-print'], { cwd: dir, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((p) => p.slice(2))
    .sort();
}

test('nested .gitignore files, negation, .git/info/exclude, and rules from above the root', async () => {
  const t = tempDir();
  try {
    const repo = t.dir;
    // The workspace folder is repo/docs inside a git repository whose top has rules for it.
    put(repo, '.git/info/exclude', 'excluded-by-info.md\n');
    put(repo, '.git/HEAD.md', 'not a note');
    put(repo, '.gitignore', 'docs/ignored-from-above.md\n');
    const root = join(repo, 'docs');
    put(root, '.gitignore', ['*.private.md', '*.tmp.md', '!keep.tmp.md', 'build/', ''].join('\n'));
    for (const f of ['a.md', 'keep.tmp.md', 'x.tmp.md', 'x.private.md', 'excluded-by-info.md', 'ignored-from-above.md', 'local.md']) put(root, f);
    put(root, 'sub/.gitignore', ['local.md', '!shared.private.md', ''].join('\n'));
    for (const f of ['sub/local.md', 'sub/shared.private.md', 'sub/other.private.md', 'sub/deeper/local.md', 'sub/ok.md']) put(root, f);
    // An ignored folder is never entered: its own `!` rules cannot bring files back (git's rule).
    put(root, 'build/.gitignore', '!a.md\n');
    put(root, 'build/a.md');
    put(root, 'notes.txt', 'not markdown');
    put(root, '.../dots.md'); // an odd but legal folder name

    const res = await scanRoots([root, `${root}/`]);
    assert.deepEqual(paths(res), ['.../dots.md', 'a.md', 'keep.tmp.md', 'local.md', 'sub/ok.md', 'sub/shared.private.md'], 'the same root given twice is scanned once');
    assert.deepEqual(res.skipped, []);
    for (const f of res.files) {
      assert.equal(f.root, root);
      assert.equal(f.absPath, join(root, f.path));
      assert.equal(f.size, 7);
      assert.ok(f.mtimeMs > 0);
    }

    // The watcher filter agrees with the scan on every file in the tree.
    const filter = await createPathFilter(root);
    assert.deepEqual(allFiles(root).filter((p) => filter.accepts(p)), paths(res));
    assert.equal(filter.accepts('sub\\ok.md'), true, 'backslashes are accepted as separators');
    assert.equal(filter.accepts('../a.md'), false);
    assert.equal(filter.accepts('.git/x.md'), false);
    // After a .gitignore changes, invalidate() makes the filter read it again.
    writeFileSync(join(root, 'sub/.gitignore'), 'ok.md\n');
    assert.equal(filter.accepts('sub/ok.md'), true, 'cached rules until invalidated');
    filter.invalidate('sub');
    assert.equal(filter.accepts('sub/ok.md'), false);
    assert.equal(filter.accepts('sub/local.md'), true);
  } finally {
    t.cleanup();
  }
});

test('include and exclude globs; node_modules and .git skipped by default; forward-slash sorted paths', async () => {
  const t = tempDir();
  try {
    const root = t.dir;
    for (const f of ['b.md', 'A.markdown', 'README.MD', 'page.mdx', 'archive/old.md', 'node_modules/pkg/readme.md', 'deep/er/x.md', '.notes/hidden.md', 'z.txt']) put(root, f);
    put(root, '.git/notes.md');
    const def = await scanRoots([root]);
    assert.deepEqual(paths(def), ['.notes/hidden.md', 'A.markdown', 'README.MD', 'archive/old.md', 'b.md', 'deep/er/x.md']);
    // A caller's exclude replaces the default (node_modules comes back unless listed).
    const custom = await scanRoots([root], { include: ['**/*.md', '**/*.mdx'], exclude: ['archive/**', '**/.notes/**'] });
    assert.deepEqual(paths(custom), ['README.MD', 'b.md', 'deep/er/x.md', 'node_modules/pkg/readme.md', 'page.mdx']);
    const only = await scanRoots([root], { include: ['deep/**/*.md'] });
    assert.deepEqual(paths(only), ['deep/er/x.md']);
    const filter = await createPathFilter(root, { include: ['**/*.md', '**/*.mdx'], exclude: ['archive/**', '**/.notes/**'] });
    assert.deepEqual(allFiles(root).filter((p) => filter.accepts(p)), paths(custom));
  } finally {
    t.cleanup();
  }
});

test('size cap: larger files are skipped with a human reason', async () => {
  const t = tempDir();
  try {
    put(t.dir, 'small.md', 'x'.repeat(1000));
    put(t.dir, 'big.md', 'x'.repeat(3 * 1024 * 1024 + 300 * 1024));
    let res = await scanRoots([t.dir]);
    assert.deepEqual(paths(res), ['small.md']);
    assert.deepEqual(res.skipped, [{ root: t.dir, path: 'big.md', reason: 'too-large', detail: '3.3 MiB is over the 2 MiB limit' }]);
    res = await scanRoots([t.dir], { maxFileBytes: 999 });
    assert.deepEqual(skips(res), [
      ['big.md', 'too-large'],
      ['small.md', 'too-large'],
    ]);
    assert.equal(res.skipped[1]!.detail, '1000 bytes is over the 999 bytes limit');
  } finally {
    t.cleanup();
  }
});

test('binary, Latin-1 and UTF-16 files named .md: listed by the scan, told apart by decodeNote', async () => {
  const t = tempDir();
  try {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    put(t.dir, 'image.md', png);
    put(t.dir, 'latin1.md', Buffer.from('# Caf\xe9\nna\xefve r\xe9sum\xe9\n', 'latin1'));
    put(t.dir, 'utf16le.md', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# Übersicht\r\nZeile zwei\r\n', 'utf16le')]));
    const be = Buffer.from('# Title\nline\n', 'utf16le').swap16();
    put(t.dir, 'utf16be.md', Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    put(t.dir, 'bom.md', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Café\r\n\r\ntext\rmore\n', 'utf8')]));
    const res = await scanRoots([t.dir]);
    assert.deepEqual(paths(res), ['bom.md', 'image.md', 'latin1.md', 'utf16be.md', 'utf16le.md']);
    const decoded = Object.fromEntries(res.files.map((f) => [f.path, decodeNote(readFileSync(f.absPath))]));
    assert.deepEqual(decoded['bom.md'], { ok: true, text: '# Café\n\ntext\nmore\n' });
    assert.deepEqual(decoded['utf16le.md'], { ok: true, text: '# Übersicht\nZeile zwei\n' });
    assert.deepEqual(decoded['utf16be.md'], { ok: true, text: '# Title\nline\n' });
    const img = decoded['image.md']!;
    assert.equal(img.ok, false);
    assert.ok(!img.ok && img.reason === 'binary' && /NUL bytes \(first at byte 8\)/.test(img.detail), JSON.stringify(img));
    const lat = decoded['latin1.md']!;
    assert.ok(!lat.ok && lat.reason === 'not-utf8', JSON.stringify(lat));
    assert.match(lat.detail, /byte 0xE9 at line 1 \(byte 6 of the line\).*Latin-1/);
  } finally {
    t.cleanup();
  }
});

test('decodeNote: control-byte share, invalid UTF-16, empty input, CR/CRLF normalisation', () => {
  const ctl = new Uint8Array(200).fill(0x41);
  for (let i = 0; i < 40; i++) ctl[i * 5] = 0x01;
  const r = decodeNote(ctl);
  assert.ok(!r.ok && r.reason === 'binary' && /20% of its first 200 bytes are control characters/.test(r.detail), JSON.stringify(r));
  // A few escape codes and form feeds are still text.
  assert.deepEqual(decodeNote(Buffer.from('\x1b[31mred\x1b[0m\f\n')), { ok: true, text: '\x1b[31mred\x1b[0m\f\n' });
  const badUtf16 = decodeNote(Uint8Array.from([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00])); // lone high surrogate
  assert.ok(!badUtf16.ok && badUtf16.reason === 'not-utf8' && /UTF-16 LE/.test(badUtf16.detail));
  assert.deepEqual(decodeNote(new Uint8Array(0)), { ok: true, text: '' });
  const utf32 = decodeNote(Uint8Array.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]));
  assert.ok(!utf32.ok && utf32.reason === 'not-utf8' && /UTF-32/.test(utf32.detail));
  assert.deepEqual(decodeNote(Buffer.from('a\r\nb\rc\n')), { ok: true, text: 'a\nb\nc\n' });
  const overlong = decodeNote(Uint8Array.from([0x61, 0x0a, 0x62, 0xc0, 0xaf]));
  assert.ok(!overlong.ok && /byte 0xC0 at line 2 \(byte 2 of the line\)/.test(overlong.detail), JSON.stringify(overlong));
});

test('symlinks: out of the roots skipped with the reason unless allowed; loops reported once and not recursed', async () => {
  const t = tempDir();
  try {
    const root = join(t.dir, 'root');
    const outside = join(t.dir, 'outside');
    put(outside, 'shared.md');
    put(root, 'a/note.md');
    symlinkSync(outside, join(root, 'linked-dir'));
    symlinkSync(join(outside, 'shared.md'), join(root, 'linked-file.md'));
    symlinkSync(root, join(root, 'a/loop-to-root'));
    symlinkSync('..', join(root, 'a/loop-up'));
    symlinkSync('self.md', join(root, 'self.md')); // a link to itself: ELOOP
    const safe = await scanRoots([root]);
    assert.deepEqual(paths(safe), ['a/note.md']);
    assert.deepEqual(skips(safe), [
      ['a/loop-to-root', 'symlink-loop'],
      ['a/loop-up', 'symlink-loop'],
      ['linked-dir', 'external-symlink'],
      ['linked-file.md', 'external-symlink'],
      ['self.md', 'symlink-loop'],
    ]);
    assert.match(safe.skipped.find((s) => s.path === 'linked-file.md')!.detail, /leads to .*outside\/shared\.md, outside the indexed folders; not followed/);
    const res = await scanRoots([root], { followExternalSymlinks: true });
    assert.deepEqual(paths(res), ['a/note.md', 'linked-dir/shared.md', 'linked-file.md']);
    assert.deepEqual(skips(res), [
      ['a/loop-to-root', 'symlink-loop'],
      ['a/loop-up', 'symlink-loop'],
      ['self.md', 'symlink-loop'],
    ]);
    assert.match(res.skipped[0]!.detail, /points back to .*root, which contains it/);
    const linked = res.files.find((f) => f.path === 'linked-file.md')!;
    assert.equal(linked.size, 7, 'size of the link target');
  } finally {
    t.cleanup();
  }
});

test('dangling links, FIFOs and missing roots are reported, never thrown', async () => {
  const t = tempDir();
  try {
    put(t.dir, 'ok.md');
    symlinkSync(join(t.dir, 'gone.md'), join(t.dir, 'dangling.md'));
    symlinkSync(join(t.dir, 'gone.txt'), join(t.dir, 'dangling.txt')); // not a note: not reported
    execFileSync('mkfifo', [join(t.dir, 'pipe.md')]);
    const missing = join(t.dir, 'no-such-folder');
    const res = await scanRoots([t.dir, missing]);
    assert.deepEqual(paths(res), ['ok.md']);
    assert.deepEqual(
      res.skipped.map((s) => [s.root, s.path, s.reason]),
      [
        [t.dir, 'dangling.md', 'unreadable'],
        [t.dir, 'pipe.md', 'not-a-file'],
        [missing, '', 'unreadable'],
      ],
    );
    assert.match(res.skipped[1]!.detail, /named pipe/);
  } finally {
    t.cleanup();
  }
});

test('unreadable files and folders (permission denied) are skipped with a reason', async (t) => {
  const getuid = process.getuid?.bind(process);
  if (!getuid) return t.skip('no POSIX permissions on this platform');
  const tmp = tempDir();
  try {
    chmodSync(tmp.dir, 0o755);
    put(tmp.dir, 'ok.md');
    put(tmp.dir, 'secret.md');
    put(tmp.dir, 'locked/inside.md');
    chmodSync(join(tmp.dir, 'secret.md'), 0o000);
    chmodSync(join(tmp.dir, 'locked'), 0o000);
    let res: ScanResult;
    if (getuid() === 0) {
      // Root reads through permissions, so run the real scanner as `nobody` in a child process.
      const code = `require(${JSON.stringify(join(repoRoot, 'src/vault/scan/scanner.ts'))}).scanRoots([${JSON.stringify(tmp.dir)}]).then((r) => process.stdout.write(JSON.stringify(r)))`;
      const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: repoRoot, uid: 65534, gid: 65534, env: { ...process.env, HOME: tmp.dir }, encoding: 'utf8' });
      if (child.status !== 0) return t.skip(`cannot run a child as uid 65534 here: ${child.stderr.slice(0, 200)}`);
      res = JSON.parse(child.stdout) as ScanResult;
    } else {
      res = await scanRoots([tmp.dir]);
    }
    assert.deepEqual(paths(res), ['ok.md']);
    assert.deepEqual(skips(res), [
      ['locked', 'unreadable'],
      ['secret.md', 'unreadable'],
    ]);
    assert.match(res.skipped[0]!.detail, /permission denied/);
  } finally {
    chmodSync(join(tmp.dir, 'locked'), 0o755);
    tmp.cleanup();
  }
});

test('multi-root: each root scanned with its own rules, results tagged with their root', async () => {
  const t = tempDir();
  try {
    const r1 = join(t.dir, 'one');
    const r2 = join(t.dir, 'two');
    put(r1, 'x.md');
    put(r1, '.gitignore', 'y.md\n');
    put(r1, 'y.md');
    put(r2, 'y.md');
    put(r2, 'sub/z.md');
    const res = await scanRoots([r1, r2]);
    assert.deepEqual(
      res.files.map((f) => [f.root, f.path]),
      [
        [r1, 'x.md'],
        [r2, 'sub/z.md'],
        [r2, 'y.md'],
      ],
    );
  } finally {
    t.cleanup();
  }
});

test('progress and cancellation', async () => {
  const t = tempDir();
  try {
    for (let i = 0; i < 600; i++) put(t.dir, `d${i % 7}/n${i}.md`);
    const seen: number[] = [];
    const res = await scanRoots([t.dir], { onProgress: (n) => seen.push(n) });
    assert.equal(res.files.length, 600);
    assert.deepEqual(seen, [250, 500, 600]);

    await assert.rejects(scanRoots([t.dir], { signal: AbortSignal.abort() }), { name: 'AbortError' });
    const ac = new AbortController();
    await assert.rejects(
      scanRoots([t.dir], {
        signal: ac.signal,
        onProgress: (n) => {
          if (n >= 250) ac.abort(new Error('user cancelled'));
        },
      }),
      /user cancelled/,
    );
  } finally {
    t.cleanup();
  }
});

test('invalid options are refused with clear errors', async () => {
  await assert.rejects(scanRoots(['.'], { maxFileBytes: 0 }), /maxFileBytes must be a positive number/);
  await assert.rejects(scanRoots(['.'], { include: [''] }), /include glob "" is not a non-empty string/);
  await assert.rejects(createPathFilter('.', { exclude: [42 as unknown as string] }), /exclude glob 42/);
});

test('tldr-pages: every Markdown file that find lists is scanned', async () => {
  const t = tempDir();
  try {
    execFileSync('tar', ['-xzf', tldrArchive, '-C', t.dir]);
    const root = join(t.dir, 'tldr-pages');
    const found = allFiles(root).filter((p) => /\.(md|markdown)$/i.test(p) && !p.split('/').includes('node_modules'));
    assert.ok(found.length > 7000, `${found.length} pages`);
    const res = await scanRoots([root]);
    assert.equal(res.files.length, found.length);
    assert.deepEqual(paths(res), [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.deepEqual(res.skipped, []);
  } finally {
    t.cleanup();
  }
});
