// The downloader through a real proxy on loopback (explicit, as VS Code's http.proxy; and from
// HTTP_PROXY/NO_PROXY, as the CLI), and across a process restart: a child process is killed with
// SIGKILL mid-download and a new process resumes its part.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { downloadFile } from '../../../src/engine/download/downloadFile';
import { ProxyResolver, excludedByNoProxy } from '../../../src/engine/download/proxy';
import { repoRoot, tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { FileServer } from './helpers/fileServer';
import { LoopbackProxy } from './helpers/loopbackProxy';

const fast = { backoffMs: 5, maxBackoffMs: 20, stallTimeoutMs: 5000 };

describe('downloads through a proxy', () => {
  const server = new FileServer();
  const proxy = new LoopbackProxy();
  const tiny = readFileSync(tinyModel);

  before(async () => {
    await server.start();
    await proxy.start();
    server.routes.set('/tiny.gguf', { data: tiny, etag: '"t"' });
  });
  after(async () => {
    await proxy.stop();
    await server.stop();
  });

  it('uses an explicit proxy (VS Code http.proxy) for the download', async () => {
    const t = tempDir();
    const resolver = new ProxyResolver({ proxyUrl: proxy.url });
    try {
      const before = proxy.used;
      const r = await downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'tiny.gguf', expectedSha256: tinyModelSha256, expectedSize: tiny.length, dispatcherFor: resolver.dispatcherFor, ...fast });
      assert.equal(r.sha256, tinyModelSha256);
      assert.ok(proxy.used > before, 'the request went through the proxy');
      assert.ok(proxy.connects.includes(`127.0.0.1:${server.port}`) || proxy.forwards.some((u) => u.includes(`127.0.0.1:${server.port}/tiny.gguf`)));
    } finally {
      await resolver.close();
      t.cleanup();
    }
  });

  it('follows HTTP_PROXY from the environment, and NO_PROXY turns it off for listed hosts', async () => {
    const t = tempDir();
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, http_proxy: process.env.http_proxy, no_proxy: process.env.no_proxy };
    const resolver = new ProxyResolver();
    try {
      delete process.env.http_proxy;
      delete process.env.no_proxy;
      process.env.HTTP_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      let before = proxy.used;
      await downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'env.gguf', expectedSha256: tinyModelSha256, dispatcherFor: resolver.dispatcherFor, ...fast });
      assert.ok(proxy.used > before, 'HTTP_PROXY was used');

      process.env.NO_PROXY = 'localhost,127.0.0.1';
      before = proxy.used;
      await downloadFile({ urls: [server.url('/tiny.gguf')], dir: t.dir, fileName: 'direct.gguf', expectedSha256: tinyModelSha256, dispatcherFor: resolver.dispatcherFor, ...fast });
      assert.equal(proxy.used, before, 'NO_PROXY host went direct');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await resolver.close();
      t.cleanup();
    }
  });

  it('matches NO_PROXY entries like proxy-from-env does', () => {
    const u = (s: string): URL => new URL(s);
    assert.equal(excludedByNoProxy(u('https://huggingface.co/x'), 'huggingface.co'), true);
    assert.equal(excludedByNoProxy(u('https://cdn-lfs.huggingface.co/x'), '.huggingface.co'), true);
    assert.equal(excludedByNoProxy(u('https://cdn-lfs.huggingface.co/x'), 'huggingface.co'), true);
    assert.equal(excludedByNoProxy(u('https://nothuggingface.co/x'), 'huggingface.co'), false);
    assert.equal(excludedByNoProxy(u('http://127.0.0.1:8080/x'), '127.0.0.1:9090'), false);
    assert.equal(excludedByNoProxy(u('http://127.0.0.1:8080/x'), '127.0.0.1:8080'), true);
    assert.equal(excludedByNoProxy(u('https://example.com/x'), '*'), true);
    assert.equal(excludedByNoProxy(u('https://example.com/x'), ''), false);
  });
});

describe('download across a process restart', () => {
  const server = new FileServer();
  const data = randomBytes(4 * 1024 * 1024);
  const sha = createHash('sha256').update(data).digest('hex');

  before(async () => {
    await server.start();
  });
  after(async () => {
    await server.stop();
  });

  function child(dir: string): ReturnType<typeof spawn> {
    return spawn(process.execPath, ['--import', 'tsx', join('test', 'unit', 'models', 'fixtures', 'downloadChild.ts'), server.url('/slow.bin'), dir, 'restart.gguf', sha, String(data.length)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  it('a new process resumes the part a killed process left behind', async () => {
    const t = tempDir();
    try {
      // Slow enough that the first process is surely mid-download when it is killed.
      server.routes.set('/slow.bin', { data, etag: '"slow"', throttle: { chunk: 64 * 1024, delayMs: 25 } });
      const first = child(t.dir);
      const part = join(t.dir, 'restart.gguf.part');
      for (let i = 0; i < 400 && !(existsSync(part) && statSync(part).size >= 512 * 1024); i++) await sleep(25);
      assert.ok(existsSync(part), 'the first process started writing the part');
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const left = statSync(part).size;
      assert.ok(left > 0 && left < data.length, `part of ${left} bytes left by the killed process`);
      assert.ok(existsSync(`${part}.lock`), 'the killed process left its lock behind');
      assert.equal(existsSync(join(t.dir, 'restart.gguf')), false);

      server.routes.set('/slow.bin', { data, etag: '"slow"' });
      const second = child(t.dir);
      let out = '';
      let err = '';
      second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      second.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      assert.equal(code, 0, err);
      const result = JSON.parse(out) as { sha256: string; resumedFrom: number };
      assert.equal(result.sha256, sha);
      assert.ok(result.resumedFrom >= left, `resumed from ${result.resumedFrom} (part had ${left})`);
      const last = server.requestsFor('/slow.bin').at(-1)!;
      assert.equal(last.range, `bytes=${result.resumedFrom}-`);
      assert.equal(last.status, 206);
      assert.ok(readFileSync(join(t.dir, 'restart.gguf')).equals(data));
      assert.equal(existsSync(`${part}.lock`), false);
    } finally {
      t.cleanup();
    }
  });
});
