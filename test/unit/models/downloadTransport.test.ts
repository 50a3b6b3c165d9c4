// The direct-connection transport (socketGet.ts) against real servers on 127.0.0.1: HTTPS with a
// certificate made for the test (trusted only when the process is told to), informational (1xx)
// responses before the real one, bodies that run to the end of the connection, and responses a
// hostile server malforms.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile } from '../../../src/engine/download/downloadFile';
import { DownloadError } from '../../../src/engine/download/errors';
import { repoRoot, tempDir } from '../../helpers/paths';

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const fast = { backoffMs: 5, maxBackoffMs: 20, stallTimeoutMs: 2000, retries: 1 };
const data = randomBytes(2 * 1024 * 1024 + 77);

async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A server that answers every connection with `response` (raw bytes) and closes. */
async function rawServer(response: Buffer): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createNetServer((s) => {
    s.once('data', () => s.end(response));
    s.on('error', () => undefined);
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/f.gguf`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('download transport (direct connections)', () => {
  it('downloads over HTTPS when the certificate is trusted, and refuses an untrusted one by name', async () => {
    const t = tempDir();
    try {
      const key = join(t.dir, 'key.pem');
      const cert = join(t.dir, 'cert.pem');
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => {
        res.writeHead(200, { 'content-length': data.length });
        res.end(data);
      });
      const port = await listen(server);
      const run = (env: NodeJS.ProcessEnv, dir: string): Promise<{ code: number | null; out: string; err: string }> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', join('test', 'unit', 'models', 'fixtures', 'downloadChild.ts'), `https://127.0.0.1:${port}/m.gguf`, dir, 'm.gguf', sha(data), String(data.length)], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          child.once('exit', (code) => resolve({ code, out, err }));
        });
      try {
        const refused = await run({ NODE_EXTRA_CA_CERTS: '' }, join(t.dir, 'a'));
        assert.notEqual(refused.code, 0, 'an untrusted certificate must not be accepted');
        assert.match(refused.err, /self[- ]signed certificate/i);
        const trusted = await run({ NODE_EXTRA_CA_CERTS: cert }, join(t.dir, 'b'));
        assert.equal(trusted.code, 0, trusted.err);
        assert.equal((JSON.parse(trusted.out) as { sha256: string }).sha256, sha(data));
        assert.ok(readFileSync(join(t.dir, 'b', 'm.gguf')).equals(data));
      } finally {
        await new Promise((r) => server.close(r));
      }
    } finally {
      t.cleanup();
    }
  });

  describe('responses as servers send them', () => {
    let server: Server;
    let port = 0;
    before(async () => {
      server = createHttpServer((req, res) => {
        if (req.url === '/hints.gguf') {
          // 103 Early Hints, then the file chunked (no length): both must pass untouched.
          res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          for (let at = 0; at < data.length; at += 100_000) res.write(data.subarray(at, at + 100_000));
          res.end();
        } else {
          res.writeHead(404).end();
        }
      });
      port = await listen(server);
    });
    after(async () => {
      await new Promise((r) => server.close(r));
    });

    it('passes over an informational 103 response and reads a chunked body whole', async () => {
      const t = tempDir();
      try {
        const r = await downloadFile({ urls: [`http://127.0.0.1:${port}/hints.gguf`], dir: t.dir, fileName: 'h.gguf', expectedSha256: sha(data), expectedSize: data.length, ...fast });
        assert.equal(r.sha256, sha(data));
        assert.ok(readFileSync(r.path).equals(data));
      } finally {
        t.cleanup();
      }
    });
  });

  it('reads a body that runs to the end of the connection (no length, not chunked)', async () => {
    const raw = await rawServer(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\nconnection: close\r\n\r\n'), data]));
    const t = tempDir();
    try {
      const r = await downloadFile({ urls: [raw.url], dir: t.dir, fileName: 'c.gguf', expectedSha256: sha(data), expectedSize: data.length, ...fast });
      assert.ok(readFileSync(r.path).equals(data));
    } finally {
      t.cleanup();
      await raw.close();
    }
  });

  it('a response whose body nobody reads does not hold the process open', async () => {
    // The server sends a head and part of a body, then keeps the connection open.
    const server = createNetServer((s) => {
      s.once('data', () => s.write(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${data.length}\r\n\r\n`), data.subarray(0, 1000)])));
      s.on('error', () => undefined);
    });
    const port = await listen(server);
    try {
      const script = `require('./src/engine/download/httpGet').httpGet('http://127.0.0.1:${port}/f', { headers: {}, signal: new AbortController().signal, maxRedirects: 0, stallTimeoutMs: 60000 }).then((r) => console.log('head', r.statusCode));`;
      // Not spawnSync: the server runs on this process's event loop.
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(killer);
      assert.match(out, /head 200/);
      assert.equal(code, 0, 'the process waited for a body nobody reads (killed after 20 s)');
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
  });

  for (const [name, head, expected] of [
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: 12abc\r\n\r\n', /sent an invalid Content-Length \("12abc"\)/],
    ['a status line that is not HTTP', 'SSH-2.0-OpenSSH_9.2\r\n\r\n', /sent a malformed HTTP response/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\ncontent-length: 20\r\n\r\n', /sent a malformed HTTP response|invalid Content-Length/],
  ] as const) {
    it(`names ${name} instead of losing the body in silence`, async () => {
      const raw = await rawServer(Buffer.concat([Buffer.from(head), data.subarray(0, 64)]));
      const t = tempDir();
      try {
        await assert.rejects(
          downloadFile({ urls: [raw.url], dir: t.dir, fileName: 'x.gguf', expectedSha256: sha(data), expectedSize: data.length, ...fast }),
          (e: unknown) => e instanceof DownloadError && expected.test(e.message),
        );
      } finally {
        t.cleanup();
        await raw.close();
      }
    });
  }
});
