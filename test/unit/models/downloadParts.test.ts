// Small parts of the downloader on their own: the concurrency limiter (order, abort while
// queued), the part lock (a live holder is respected, a dead one's lock taken over), the speed
// meter, and the free-space check.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnSync } from 'node:child_process';
import { ensureFreeSpace, formatBytes } from '../../../src/engine/download/diskSpace';
import { DownloadError } from '../../../src/engine/download/errors';
import { Limiter } from '../../../src/engine/download/limiter';
import { acquirePartLock, ifRangeValue } from '../../../src/engine/download/partState';
import { SpeedMeter, eta } from '../../../src/engine/download/progress';
import { tempDir } from '../../helpers/paths';

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        limiter.run(async () => {
          started.push(i);
          running++;
          peak = Math.max(peak, running);
          await sleep(10);
          running--;
        }),
      ),
    );
    assert.equal(peak, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
    assert.equal(limiter.running, 0);
  });

  it('a queued task whose signal aborts leaves the queue without running', async () => {
    const limiter = new Limiter(1);
    let release!: () => void;
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const ac = new AbortController();
    let ran = false;
    const queued = limiter.run(async () => {
      ran = true;
    }, ac.signal);
    assert.equal(limiter.queued, 1);
    ac.abort(new Error('stop'));
    await assert.rejects(queued, /stop/);
    assert.equal(limiter.queued, 0);
    release();
    await first;
    assert.equal(ran, false);
    assert.throws(() => new Limiter(0), RangeError);
  });
});

describe('part lock', () => {
  it('refuses a lock held by a live process and takes over one left by a dead process', async () => {
    const t = tempDir();
    try {
      const lock = join(t.dir, 'm.gguf.part.lock');
      const release = await acquirePartLock(lock, 'm.gguf');
      await assert.rejects(acquirePartLock(lock, 'm.gguf'), (e: unknown) => e instanceof DownloadError && e.kind === 'busy' && /in this process/.test(e.message));
      await release();
      // A process that has exited: its pid is no longer alive.
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(lock, JSON.stringify({ pid: Number(dead), at: Date.now() }));
      const again = await acquirePartLock(lock, 'm.gguf');
      await again();
      // A live process (the parent of this one) is respected.
      writeFileSync(lock, JSON.stringify({ pid: process.ppid, at: Date.now() }));
      await assert.rejects(acquirePartLock(lock, 'm.gguf'), (e: unknown) => e instanceof DownloadError && e.kind === 'busy' && e.message.includes(`pid ${process.ppid}`) && e.message.includes(lock));
    } finally {
      t.cleanup();
    }
  });

  it('uses a strong ETag for If-Range, else Last-Modified (weak ETags are not allowed there)', () => {
    assert.equal(ifRangeValue({ etag: '"abc"', lastModified: 'x' }), '"abc"');
    assert.equal(ifRangeValue({ etag: 'W/"abc"', lastModified: 'Tue, 01 Jan 2030 00:00:00 GMT' }), 'Tue, 01 Jan 2030 00:00:00 GMT');
    assert.equal(ifRangeValue({ etag: null, lastModified: null }), undefined);
  });
});

describe('progress and disk', () => {
  it('measures speed over a recent window and derives the ETA', () => {
    let now = 0;
    const m = new SpeedMeter(() => now);
    m.update(0);
    now = 1000;
    assert.equal(m.update(10 * 1024 * 1024), 10 * 1024 * 1024);
    now = 2000;
    assert.equal(m.update(30 * 1024 * 1024), 15 * 1024 * 1024);
    now = 9000; // the old samples leave the 5 s window: the speed follows the recent rate
    assert.equal(m.update(37 * 1024 * 1024), 1024 * 1024);
    assert.equal(eta(50, 150, 10), 10);
    assert.equal(eta(50, undefined, 10), undefined);
  });

  it('refuses a download that would not fit on the disk, with the figures', async () => {
    const t = tempDir();
    try {
      await ensureFreeSpace(t.dir, 1024);
      await assert.rejects(ensureFreeSpace(t.dir, 2 ** 53), (e: unknown) => e instanceof DownloadError && e.kind === 'disk' && /Not enough disk space in .*: the download needs 8192 TiB \(plus 256 MiB to spare\), .* is free\./.test(e.message));
      assert.equal(formatBytes(1536), '1.50 KiB');
    } finally {
      t.cleanup();
    }
  });
});
