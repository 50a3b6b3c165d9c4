// Downloads against a hostile or unlucky world, on a real loopback server that counts the bytes it
// serves: connections cut at random points (no byte may be fetched twice), a process killed with
// SIGKILL (what it received must already be in the part), a fit check that must read only the
// header it needs, a server that goes silent (given up on within two stall timeouts, saying why
// meanwhile), a server that sends more than the manifest's size without announcing a length, and a
// disk that fills up for real (a small tmpfs in a user and mount namespace: a real ENOSPC).
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { downloadFile } from '../../../src/engine/download/downloadFile';
import { DownloadError } from '../../../src/engine/download/errors';
import type { DownloadProgress } from '../../../src/engine/download/progress';
import { readRemoteGgufHeader } from '../../../src/engine/fit/remoteHeader';
import { repoRoot, tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { cliInProcess as cli } from '../../helpers/runCli';
import { withInsertedKv } from '../engine/helpers/ggufLayout';
import { FileServer } from './helpers/fileServer';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const fast = { backoffMs: 5, maxBackoffMs: 20, stallTimeoutMs: 5000 };

/**
 * Runs `command` with a fresh tmpfs of `size` mounted on `dir` (an unprivileged user and mount
 * namespace: the mount exists only for the command); prints the command's exit code and what the
 * folder holds afterwards. Undefined when this machine does not allow such namespaces.
 */
function inTmpfs(dir: string, size: string, command: string[]): Promise<{ rc: number; files: string[]; stdout: string; stderr: string } | undefined> {
  const script = 'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99; d="$2"; shift 2; "$@"; rc=$?; echo "::rc=$rc"; echo "::files=$(ls -A "$d" | tr "\\n" " ")"';
  return new Promise((resolve) => {
    execFile('unshare', ['-rm', 'sh', '-c', script, 'sh', size, dir, ...command], { cwd: repoRoot, timeout: 120_000 }, (err, stdout, stderr) => {
      const rc = /::rc=(\d+)/.exec(stdout);
      if (!rc) return resolve(undefined);
      const files = (/::files=(.*)/.exec(stdout)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
      resolve({ rc: Number(rc[1]), files, stdout, stderr: stderr + (err && !rc ? String(err) : '') });
    });
  });
}

describe('downloads in a hostile world', () => {
  const server = new FileServer();
  const tiny = readFileSync(tinyModel);
  const big = randomBytes(3 * 1024 * 1024 + 321);
  const bigSha = sha(big);

  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
  });

  it('fetches no byte twice across 30 downloads cut at random points (bytes served = file size)', async () => {
    const t = tempDir();
    try {
      for (let trial = 0; trial < 30; trial++) {
        const path = `/cuts-${trial}.bin`;
        const first = randomInt(1, big.length - 1);
        server.routes.set(path, { data: big, etag: `"c${trial}"`, cutAfter: [first, randomInt(1, big.length - first)] });
        const r = await downloadFile({ urls: [server.url(path)], dir: t.dir, fileName: `cuts-${trial}.gguf`, expectedSha256: bigSha, expectedSize: big.length, ...fast });
        assert.equal(r.restarts, 0, `trial ${trial}`);
        assert.equal(server.served.get(path), big.length, `trial ${trial}: bytes served (cuts at ${first} and then)`);
      }
    } finally {
      t.cleanup();
    }
  });

  it('has what it received on disk within moments, so a SIGKILL loses nothing and the next process fetches only the rest', async () => {
    const t = tempDir();
    try {
      for (let trial = 0; trial < 4; trial++) {
        const path = `/killed-${trial}.bin`;
        // Under 1 MiB on purpose: before, the first MiB waited in memory and a kill threw it away.
        const at = randomInt(10_000, 1_000_000);
        server.routes.set(path, { data: big, etag: `"k${trial}"`, stallAt: at });
        const name = `killed-${trial}.gguf`;
        const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'downloadChild.ts'), server.url(path), t.dir, name, bigSha, String(big.length)], { cwd: repoRoot, stdio: 'ignore' });
        const part = join(t.dir, `${name}.part`);
        // Once the server has sent the bytes, they must be in the part well within the child's stall
        // timeout (5 s; before, a batch under 1 MiB reached the disk only when the attempt failed).
        for (const deadline = Date.now() + 60_000; (server.served.get(path) ?? 0) < at && Date.now() < deadline; ) await sleep(20);
        for (const deadline = Date.now() + 2000; (existsSync(part) ? statSync(part).size : 0) < at && Date.now() < deadline; ) await sleep(20);
        const onDisk = existsSync(part) ? statSync(part).size : 0;
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        assert.equal(onDisk, at, `trial ${trial}: the ${at} bytes received are in the part before the kill`);
        server.routes.set(path, { data: big, etag: `"k${trial}"` });
        const r = await downloadFile({ urls: [server.url(path)], dir: t.dir, fileName: name, expectedSha256: bigSha, expectedSize: big.length, ...fast });
        assert.equal(r.resumedFrom, at);
        assert.equal(r.restarts, 0);
        assert.equal(server.served.get(path), big.length, `trial ${trial}: nothing fetched twice`);
        assert.ok(readFileSync(r.path).equals(big));
      }
    } finally {
      t.cleanup();
    }
  });

  it('reads a remote GGUF header progressively: 256 KiB first, further ranges only as the parser needs them', async () => {
    server.routes.set('/hdr-tiny.gguf', { data: tiny, etag: '"h"' });
    const small = await readRemoteGgufHeader(server.url('/hdr-tiny.gguf'));
    assert.equal(small.info.architecture, 'llama');
    assert.equal(small.fileSize, tiny.length);
    assert.equal(small.requests, 1);
    assert.deepEqual(server.requestsFor('/hdr-tiny.gguf').map((q) => q.range), ['bytes=0-262143']);
    assert.ok(server.served.get('/hdr-tiny.gguf')! <= 256 * 1024, `served ${server.served.get('/hdr-tiny.gguf')} bytes for a 14 KB header`);
    // A header of about 700 KB (a long string value) takes more ranges, each continuing the last.
    const long = Buffer.alloc(8 + 700_000, 0x61);
    long.writeBigUInt64LE(700_000n, 0);
    const wide = withInsertedKv(tiny, 'test.padding', 8, long);
    server.routes.set('/hdr-wide.gguf', { data: wide, etag: '"w"' });
    const r = await readRemoteGgufHeader(server.url('/hdr-wide.gguf'));
    assert.equal(r.info.tensorCount, 48);
    const ranges = server.requestsFor('/hdr-wide.gguf').map((q) => q.range);
    assert.equal(ranges[0], 'bytes=0-262143');
    assert.ok(ranges.length >= 2 && ranges.length <= 3, JSON.stringify(ranges));
    for (let i = 1; i < ranges.length; i++) assert.equal(Number(/^bytes=(\d+)-/.exec(ranges[i]!)![1]), Number(/-(\d+)$/.exec(ranges[i - 1]!)![1]) + 1, 'each range starts where the last ended');
    assert.ok(server.served.get('/hdr-wide.gguf')! < wide.length, 'the whole file was not fetched');
    assert.ok(server.served.get('/hdr-wide.gguf')! <= 720_000 * 2);
  });

  it('gives up on a silent server after two stall timeouts (not six), saying meanwhile that it waits and why', async () => {
    const t = tempDir();
    try {
      server.routes.set('/silent.bin', { data: big, etag: '"s"', stallAt: 0 });
      const waiting: string[] = [];
      const started = Date.now();
      await assert.rejects(
        downloadFile({
          urls: [server.url('/silent.bin')], dir: t.dir, fileName: 'silent.gguf', expectedSha256: bigSha, expectedSize: big.length, backoffMs: 5, stallTimeoutMs: 4000,
          onProgress: (p: DownloadProgress) => void (p.waiting && waiting.push(p.waiting)),
        }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'stall' && /stopped sending data .* gave up after 2 tries in a row without a byte for 4 s\.$/.test(e.message),
      );
      assert.equal(server.requestsFor('/silent.bin').length, 2);
      assert.ok(Date.now() - started < 20_000);
      assert.ok(waiting.some((w) => new RegExp(`^no data from 127\\.0\\.0\\.1:${server.port} for [23] s; this try gives up after 4 s without data, then 1 more try$`).test(w)), JSON.stringify(waiting));
      assert.equal(existsSync(join(t.dir, 'silent.gguf.part')), false, 'an empty part is not kept');
    } finally {
      t.cleanup();
    }
  });

  it('a server with no Content-Length that sends more than the manifest size is told apart from one that announced a length', async () => {
    const t = tempDir();
    try {
      server.routes.set('/over.gguf', { data: tiny, noLength: true, body: Buffer.concat([tiny, Buffer.alloc(5000)]) });
      await assert.rejects(
        downloadFile({ urls: [server.url('/over.gguf')], dir: t.dir, fileName: 'over.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'size' && /sent more than 1185376 bytes, the size over\.gguf should have \(the server announced no length\)\.$/.test(e.message),
      );
      // With no expected size and no length, the end of the body is the end: the hash decides.
      server.routes.set('/nolen.gguf', { data: tiny, noLength: true });
      const r = await downloadFile({ urls: [server.url('/nolen.gguf')], dir: t.dir, fileName: 'nolen.gguf', expectedSha256: tinyModelSha256, ...fast });
      assert.equal(r.size, tiny.length);
    } finally {
      t.cleanup();
    }
  });

  it('creates the models database in the target folder only once a download is verified', async () => {
    const t = tempDir();
    try {
      const failed = await cli(['download-model', server.url('/missing.gguf'), '--sha256', tinyModelSha256, '--dir', t.dir, '--no-fit']);
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /HTTP 404/);
      assert.deepEqual(readdirSync(t.dir), [], 'a failed download leaves the folder as it was');
      server.routes.set('/ok.gguf', { data: tiny, etag: '"ok"' });
      const ok = await cli(['download-model', server.url('/ok.gguf'), '--sha256', tinyModelSha256, '--dir', t.dir, '--no-fit']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(readdirSync(t.dir).sort(), ['codex-vault-models.sqlite', 'ok.gguf']);
    } finally {
      t.cleanup();
    }
  });

  it('a disk that fills up mid-download (real ENOSPC, no length announced) says what and where, and keeps the part only if the server can resume', async (ctx) => {
    const t = tempDir();
    try {
      server.routes.set('/full-ranges.gguf', { data: big, noLength: true, etag: '"f"' });
      server.routes.set('/full-noranges.gguf', { data: big, noLength: true, ignoreRange: true });
      const run = (route: string): ReturnType<typeof inTmpfs> =>
        inTmpfs(t.dir, '1m', [process.execPath, '--import', 'tsx', join(repoRoot, 'src', 'cli.ts'), 'download-model', server.url(route), '--sha256', bigSha, '--dir', t.dir, '--name', 'big.gguf', '--no-fit']);
      const kept = await run('/full-ranges.gguf');
      if (!kept) return ctx.skip('unshare -rm (user and mount namespaces) is not available here');
      assert.equal(kept.rc, 1, kept.stderr);
      assert.match(kept.stderr, /^codex-vault download-model: The disk holding .* is full \([\d.]+ (B|KiB) free\): [\d.]+ (KiB|MiB) of big\.gguf were written, and the server did not say how large it is\. The partial download is kept \(.*big\.gguf\.part\): this server can resume, so once there is space, run the same download again and it continues from [\d.]+ (KiB|MiB)\.$/m);
      assert.doesNotMatch(kept.stderr, /ENOSPC: no space left on device, write/);
      assert.deepEqual(kept.files.sort(), ['big.gguf.part', 'big.gguf.part.json'], 'the part and its sidecar, no database, no lock');
      const removed = await run('/full-noranges.gguf');
      assert.equal(removed!.rc, 1, removed!.stderr);
      assert.match(removed!.stderr, /is full .* The partial download was deleted to free the space: this server cannot resume a download \(it does not serve byte ranges\), so the next try starts from zero\.$/m);
      assert.deepEqual(removed!.files, [], 'nothing left behind');
      // The total known (a manifest size) and the disk filled by something else meanwhile: how much more is needed.
      server.routes.set('/full-known.gguf', { data: big, etag: '"k"', throttle: { chunk: 64 * 1024, delayMs: 5 } });
      const known = await inTmpfs(t.dir, '4m', [process.execPath, '--import', 'tsx', join(__dirname, 'fixtures', 'diskFullChild.ts'), server.url('/full-known.gguf'), t.dir, bigSha, String(big.length), String(2 * 1024 * 1024)]);
      const message = (JSON.parse(known!.stdout.split('\n')[0]!) as { message?: string }).message ?? '';
      assert.match(message, /^The disk holding .* is full \([\d.]+ (B|KiB) free\): [\d.]+ (KiB|MiB) of known\.gguf were written and [\d.]+ (KiB|MiB) more are needed \([\d.]+ (KiB|MiB) with the margin kept free\)\. The partial download is kept/);
      assert.ok(known!.files.includes('known.gguf.part'));
    } finally {
      t.cleanup();
    }
  });
});
