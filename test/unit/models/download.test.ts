// The downloader against a real HTTP server on 127.0.0.1 serving real bytes (the tiny model and
// generated files): full downloads, resumes after cuts, servers that ignore Range or change the
// file, wrong checksums, HTTP errors, redirects, stalls, cancel, and path validation.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile } from '../../../src/engine/download/downloadFile';
import { DownloadError } from '../../../src/engine/download/errors';
import { Limiter } from '../../../src/engine/download/limiter';
import { readPartState } from '../../../src/engine/download/partState';
import { UnsafeFileNameError } from '../../../src/engine/models/fileNames';
import { tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { FileServer } from './helpers/fileServer';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const fast = { backoffMs: 5, maxBackoffMs: 20, stallTimeoutMs: 2000 };

describe('downloadFile', () => {
  const server = new FileServer();
  const tiny = readFileSync(tinyModel);
  const big = randomBytes(3 * 1024 * 1024 + 123);
  const bigSha = sha(big);

  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
  });

  it('downloads the tiny model byte-identical and verified, leaving nothing else behind', async () => {
    const t = tempDir();
    try {
      server.routes.set('/tiny.gguf', { data: tiny, etag: '"tiny-1"' });
      const progress: number[] = [];
      const r = await downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'stories260K.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, onProgress: (p) => progress.push(p.bytes), progressIntervalMs: 0, ...fast });
      assert.equal(r.sha256, tinyModelSha256);
      assert.equal(r.size, tiny.length);
      assert.equal(r.alreadyPresent, false);
      assert.ok(readFileSync(r.path).equals(tiny));
      assert.deepEqual(readdirSync(t.dir), ['stories260K.gguf']);
      assert.equal(progress.at(-1), tiny.length);
      // A second call finds the verified file and downloads nothing.
      const before = server.log.length;
      const again = await downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'stories260K.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length });
      assert.equal(again.alreadyPresent, true);
      assert.equal(server.log.length, before);
    } finally {
      t.cleanup();
    }
  });

  it('resumes after the connection is cut at random offsets (20 trials), always ending verified', async () => {
    const t = tempDir();
    try {
      for (let trial = 0; trial < 20; trial++) {
        const path = `/cut-${trial}.bin`;
        const cuts = [randomInt(1, big.length - 1), randomInt(1, big.length - 1)].sort((a, b) => a - b);
        // Two cuts in one call (retried in-process), then the rest.
        server.routes.set(path, { data: big, etag: `"big-${trial}"`, cutAfter: [cuts[0]!, cuts[1]! - cuts[0]!] });
        const name = `cut-${trial}.gguf`;
        const r = await downloadFile({ urls: [server.url(path)], dir: t.dir, fileName: name, expectedSha256: bigSha, expectedSize: big.length, ...fast });
        assert.equal(r.sha256, bigSha, `trial ${trial}`);
        assert.ok(readFileSync(r.path).equals(big), `trial ${trial}: bytes differ`);
        const reqs = server.requestsFor(path);
        assert.ok(reqs.length >= 2, `trial ${trial}: expected a resumed request`);
        const resumed = reqs.slice(1).filter((q) => q.range !== undefined);
        assert.ok(resumed.length >= 1, `trial ${trial}: no Range request after the cut`);
        for (const q of resumed) {
          assert.match(q.range!, /^bytes=\d+-$/);
          assert.equal(q.ifRange, `"big-${trial}"`, 'If-Range carries the ETag seen first');
        }
        assert.equal(r.restarts, 0, `trial ${trial}: resumed, not restarted`);
      }
      assert.equal(readdirSync(t.dir).filter((f) => f.includes('.part')).length, 0);
    } finally {
      t.cleanup();
    }
  });

  it('keeps the part after giving up and resumes it in a later call (Range from the part size)', async () => {
    const t = tempDir();
    try {
      const cut = 1_000_000;
      server.routes.set('/later.bin', { data: big, lastModified: 'Wed, 21 Oct 2026 07:28:00 GMT', cutAfter: [cut] });
      await assert.rejects(
        downloadFile({ urls: [server.url('/later.bin')], dir: t.dir, fileName: 'later.gguf', expectedSha256: bigSha, expectedSize: big.length, retries: 0, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'network' && /kept in/.test(e.message),
      );
      const partSize = readFileSync(join(t.dir, 'later.gguf.part')).length;
      assert.ok(partSize > 0 && partSize <= cut);
      const state = await readPartState(join(t.dir, 'later.gguf.part.json'));
      assert.equal(state?.lastModified, 'Wed, 21 Oct 2026 07:28:00 GMT');
      assert.equal(existsSync(join(t.dir, 'later.gguf')), false, 'nothing partial is visible as a model');
      const r = await downloadFile({ urls: [server.url('/later.bin')], dir: t.dir, fileName: 'later.gguf', expectedSha256: bigSha, expectedSize: big.length, ...fast });
      assert.equal(r.resumedFrom, partSize);
      const last = server.requestsFor('/later.bin').at(-1)!;
      assert.equal(last.range, `bytes=${partSize}-`);
      assert.equal(last.ifRange, 'Wed, 21 Oct 2026 07:28:00 GMT', 'Last-Modified is the validator when there is no ETag');
      assert.equal(last.status, 206);
      assert.ok(readFileSync(r.path).equals(big));
      assert.deepEqual(readdirSync(t.dir), ['later.gguf']);
    } finally {
      t.cleanup();
    }
  });

  it('restarts from zero when the server ignores Range (200 instead of 206)', async () => {
    const t = tempDir();
    try {
      server.routes.set('/norange.bin', { data: big, etag: '"nr"', ignoreRange: true, cutAfter: [700_000] });
      const r = await downloadFile({ urls: [server.url('/norange.bin')], dir: t.dir, fileName: 'norange.gguf', expectedSha256: bigSha, expectedSize: big.length, ...fast });
      const reqs = server.requestsFor('/norange.bin');
      assert.equal(reqs.length, 2);
      assert.match(reqs[1]!.range ?? '', /^bytes=\d+-$/);
      assert.equal(reqs[1]!.status, 200);
      assert.equal(r.restarts, 1);
      assert.ok(readFileSync(r.path).equals(big));
    } finally {
      t.cleanup();
    }
  });

  it('restarts from zero when the file changed on the server (If-Range answered with 200)', async () => {
    const t = tempDir();
    try {
      const v2 = randomBytes(big.length);
      server.routes.set('/changing.bin', { data: big, etag: '"v1"', cutAfter: [900_000] });
      await assert.rejects(downloadFile({ urls: [server.url('/changing.bin')], dir: t.dir, fileName: 'changing.gguf', expectedSha256: sha(v2), expectedSize: v2.length, retries: 0, ...fast }));
      server.routes.set('/changing.bin', { data: v2, etag: '"v2"' });
      const r = await downloadFile({ urls: [server.url('/changing.bin')], dir: t.dir, fileName: 'changing.gguf', expectedSha256: sha(v2), expectedSize: v2.length, ...fast });
      const last = server.requestsFor('/changing.bin').at(-1)!;
      assert.equal(last.ifRange, '"v1"');
      assert.equal(last.status, 200);
      assert.equal(r.restarts, 1);
      assert.ok(readFileSync(r.path).equals(v2), 'no splice of v1 and v2 bytes');
    } finally {
      t.cleanup();
    }
  });

  it('restarts from zero when a server ignores If-Range and sends 206 with a new ETag', async () => {
    const t = tempDir();
    try {
      const v2 = randomBytes(big.length);
      server.routes.set('/sloppy.bin', { data: big, etag: '"s1"', cutAfter: [500_000] });
      await assert.rejects(downloadFile({ urls: [server.url('/sloppy.bin')], dir: t.dir, fileName: 'sloppy.gguf', expectedSha256: sha(v2), expectedSize: v2.length, retries: 0, ...fast }));
      server.routes.set('/sloppy.bin', { data: v2, etag: '"s2"', ignoreIfRange: true });
      const r = await downloadFile({ urls: [server.url('/sloppy.bin')], dir: t.dir, fileName: 'sloppy.gguf', expectedSha256: sha(v2), expectedSize: v2.length, ...fast });
      const statuses = server.requestsFor('/sloppy.bin').map((q) => q.status);
      assert.deepEqual(statuses.slice(-2), [206, 200]);
      assert.equal(r.restarts, 1);
      assert.ok(readFileSync(r.path).equals(v2));
    } finally {
      t.cleanup();
    }
  });

  it('deletes the download and says so when the checksum does not match; nothing is left in the folder', async () => {
    const t = tempDir();
    try {
      server.routes.set('/tiny2.gguf', { data: tiny });
      const wrong = 'ab'.repeat(32);
      await assert.rejects(
        downloadFile({ urls: [server.url('/tiny2.gguf')], dir: t.dir, fileName: 'tiny2.gguf', expectedSha256: wrong, expectedSize: tiny.length, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'checksum' && e.message.includes(wrong) && e.message.includes(tinyModelSha256) && /deleted/.test(e.message),
      );
      assert.deepEqual(readdirSync(t.dir), []);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a server whose size differs from the manifest before writing anything', async () => {
    const t = tempDir();
    try {
      server.routes.set('/short.gguf', { data: tiny });
      await assert.rejects(
        downloadFile({ urls: [server.url('/short.gguf')], dir: t.dir, fileName: 'short.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length + 1, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'size' && /should be 1185377 bytes/.test(e.message),
      );
      assert.equal(existsSync(join(t.dir, 'short.gguf')), false);
    } finally {
      t.cleanup();
    }
  });

  it('gives up at once with a clear message on 404', async () => {
    const t = tempDir();
    try {
      const before = server.requestsFor('/missing.gguf').length;
      await assert.rejects(
        downloadFile({ urls: [server.url('/missing.gguf')], dir: t.dir, fileName: 'missing.gguf', expectedSha256: tinyModelSha256, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'http' && e.status === 404 && /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/missing\.gguf/.test(e.message),
      );
      assert.equal(server.requestsFor('/missing.gguf').length - before, 1, 'a 4xx is not retried');
      assert.deepEqual(readdirSync(t.dir).filter((f) => !f.endsWith('.lock')), []);
    } finally {
      t.cleanup();
    }
  });

  it('moves on to the next mirror when one answers 404', async () => {
    const t = tempDir();
    try {
      server.routes.set('/mirror2/tiny.gguf', { data: tiny });
      const r = await downloadFile({ urls: [server.url('/mirror1/tiny.gguf'), server.url('/mirror2/tiny.gguf')], dir: t.dir, fileName: 'tiny.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, ...fast });
      assert.equal(r.sha256, tinyModelSha256);
    } finally {
      t.cleanup();
    }
  });

  it('retries 500 and 503 with backoff, then succeeds; gives up after the retry limit', async () => {
    const t = tempDir();
    try {
      server.routes.set('/flaky.gguf', { data: tiny, failWith: [500, 503] });
      const retried: string[] = [];
      const r = await downloadFile({ urls: [server.url('/flaky.gguf')], dir: t.dir, fileName: 'flaky.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, onRetry: (e) => retried.push(e.message), ...fast });
      assert.equal(r.attempts, 3);
      assert.deepEqual(retried.map((m) => /HTTP (\d+)/.exec(m)?.[1]), ['500', '503']);
      assert.ok(readFileSync(r.path).equals(tiny));

      server.routes.set('/down.gguf', { data: tiny, failWith: [500, 500, 500, 500] });
      await assert.rejects(
        downloadFile({ urls: [server.url('/down.gguf')], dir: t.dir, fileName: 'down.gguf', expectedSha256: tinyModelSha256, retries: 2, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'http' && e.status === 500 && /gave up after 3 attempts/.test(e.message),
      );
    } finally {
      t.cleanup();
    }
  });

  it('follows a redirect chain (relative and absolute Locations) and refuses loops and overlong chains', async () => {
    const t = tempDir();
    try {
      server.routes.set('/cdn/tiny.gguf', { data: tiny, etag: '"cdn"' });
      server.routes.set('/r1', { redirect: '/r2', status: 301 });
      server.routes.set('/r2', { redirect: server.url('/r3'), status: 307 });
      server.routes.set('/r3', { redirect: '/cdn/tiny.gguf?token=secret', status: 302 });
      const r = await downloadFile({ urls: [server.url('/r1')], dir: t.dir, fileName: 'redirected.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, ...fast });
      assert.ok(readFileSync(r.path).equals(tiny));

      server.routes.set('/loop-a', { redirect: '/loop-b' });
      server.routes.set('/loop-b', { redirect: '/loop-a' });
      await assert.rejects(
        downloadFile({ urls: [server.url('/loop-a')], dir: t.dir, fileName: 'loop.gguf', expectedSha256: tinyModelSha256, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'redirect' && /Redirect loop: .*\/loop-a -> .*\/loop-b -> .*\/loop-a/.test(e.message),
      );
      await assert.rejects(
        downloadFile({ urls: [server.url('/r1')], dir: t.dir, fileName: 'toolong.gguf', expectedSha256: tinyModelSha256, maxRedirects: 2, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'redirect' && /Too many redirects \(more than 2\)/.test(e.message),
      );
      server.routes.set('/to-ftp', { redirect: 'ftp://example.invalid/x.gguf' });
      await assert.rejects(
        downloadFile({ urls: [server.url('/to-ftp')], dir: t.dir, fileName: 'ftp.gguf', expectedSha256: tinyModelSha256, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'redirect' && /ftp:/.test(e.message),
      );
    } finally {
      t.cleanup();
    }
  });

  it('times out a stalling server (and keeps what arrived), then resumes', async () => {
    const t = tempDir();
    try {
      server.routes.set('/stall.bin', { data: big, etag: '"st"', stallAt: 200_000 });
      await assert.rejects(
        downloadFile({ urls: [server.url('/stall.bin')], dir: t.dir, fileName: 'stall.gguf', expectedSha256: bigSha, expectedSize: big.length, retries: 1, backoffMs: 5, stallTimeoutMs: 300 }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'stall' && /stopped sending data/.test(e.message),
      );
      assert.equal(server.requestsFor('/stall.bin').length, 2, 'one retry after the first stall');
      const kept = readFileSync(join(t.dir, 'stall.gguf.part')).length;
      assert.ok(kept > 0, 'bytes received before the stall are kept');
      server.routes.set('/stall.bin', { data: big, etag: '"st"' });
      const r = await downloadFile({ urls: [server.url('/stall.bin')], dir: t.dir, fileName: 'stall.gguf', expectedSha256: bigSha, expectedSize: big.length, ...fast });
      assert.equal(r.resumedFrom, kept);
      assert.ok(readFileSync(r.path).equals(big));
    } finally {
      t.cleanup();
    }
  });

  it('cancels a stalled download through its AbortSignal, keeps the part, and resumes later', async () => {
    const t = tempDir();
    try {
      server.routes.set('/cancel.bin', { data: big, etag: '"c"', stallAt: 300_000 });
      const ac = new AbortController();
      const started = downloadFile({
        urls: [server.url('/cancel.bin')], dir: t.dir, fileName: 'cancel.gguf', expectedSha256: bigSha, expectedSize: big.length, signal: ac.signal, stallTimeoutMs: 60_000, progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.bytes > 0) ac.abort(new Error('user cancelled'));
        },
      });
      await assert.rejects(started, /user cancelled/);
      assert.ok(existsSync(join(t.dir, 'cancel.gguf.part')));
      assert.ok(existsSync(join(t.dir, 'cancel.gguf.part.json')));
      assert.equal(existsSync(join(t.dir, 'cancel.gguf.part.lock')), false, 'the lock is released on cancel');
      assert.equal(existsSync(join(t.dir, 'cancel.gguf')), false);
      server.routes.set('/cancel.bin', { data: big, etag: '"c"' });
      const r = await downloadFile({ urls: [server.url('/cancel.bin')], dir: t.dir, fileName: 'cancel.gguf', expectedSha256: bigSha, expectedSize: big.length, ...fast });
      assert.ok(r.resumedFrom > 0);
      assert.ok(readFileSync(r.path).equals(big));
    } finally {
      t.cleanup();
    }
  });

  it('validates file names before any request (no traversal, no absolute paths, no separators)', async () => {
    const t = tempDir();
    try {
      const before = server.log.length;
      for (const name of ['../evil.gguf', '/etc/evil.gguf', 'sub/evil.gguf', 'sub\\evil.gguf', 'C:evil.gguf', '.hidden.gguf', 'evil.bin', 'nul.gguf']) {
        await assert.rejects(downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: name, expectedSha256: tinyModelSha256, ...fast }), UnsafeFileNameError, name);
      }
      assert.equal(server.log.length, before);
    } finally {
      t.cleanup();
    }
  });

  it('never overwrites a different file already at the destination', async () => {
    const t = tempDir();
    try {
      const other = randomBytes(tiny.length);
      writeFileSync(join(t.dir, 'taken.gguf'), other);
      await assert.rejects(
        downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'taken.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'exists' && /left alone/.test(e.message),
      );
      assert.ok(readFileSync(join(t.dir, 'taken.gguf')).equals(other));
    } finally {
      t.cleanup();
    }
  });

  it('checks free disk space before the first request', async () => {
    const t = tempDir();
    try {
      const before = server.log.length;
      await assert.rejects(
        downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'huge.gguf', expectedSha256: tinyModelSha256, expectedSize: 2 ** 52, ...fast }),
        (e: unknown) => e instanceof DownloadError && e.kind === 'disk' && /Not enough disk space/.test(e.message),
      );
      assert.equal(server.log.length, before);
    } finally {
      t.cleanup();
    }
  });

  it('limits concurrent downloads', async () => {
    const t = tempDir();
    try {
      const limiter = new Limiter(2);
      let running = 0;
      let peak = 0;
      server.routes.set('/slow.gguf', { data: tiny, throttle: { chunk: 256 * 1024, delayMs: 20 } });
      await Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          limiter.run(async () => {
            running++;
            peak = Math.max(peak, running);
            try {
              await downloadFile({ urls: [server.url('/slow.gguf')], dir: t.dir, fileName: `slow-${i}.gguf`, expectedSha256: tinyModelSha256, ...fast });
            } finally {
              running--;
            }
          }),
        ),
      );
      assert.equal(peak, 2);
      assert.equal(readdirSync(t.dir).length, 5);
    } finally {
      t.cleanup();
    }
  });
});
