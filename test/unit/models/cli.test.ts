// The model commands end to end through the CLI's main(): models list, download-model (by id from
// a manifest file and by URL) against a real server on 127.0.0.1, and verify — checking output,
// the files left behind and the exit codes.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { main } from '../../../src/cli';
import { tempDir, tinyModel, tinyModelSha256 } from '../../helpers/paths';
import { FileServer } from './helpers/fileServer';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function run(args: string[], signal = new AbortController().signal): Promise<{ code: number; out: string; err: string }> {
  const out = new Capture();
  const err = new Capture();
  const code = await main(args, { out, err, isTTY: false, signal });
  return { code, out: out.text, err: err.text };
}

describe('CLI: models list, download-model, verify', () => {
  const server = new FileServer();
  const tiny = readFileSync(tinyModel);
  const t = tempDir();
  const models = join(t.dir, 'models');
  const db = join(t.dir, 'records.sqlite');
  const manifestFile = join(t.dir, 'my-models.json');

  before(async () => {
    await server.start();
    server.routes.set('/tiny.gguf', { data: tiny, etag: '"tiny"' });
    writeFileSync(
      manifestFile,
      JSON.stringify({
        version: 1,
        models: [{ id: 'tiny-stories', name: 'Tiny stories', role: 'chat', quantization: 'F32', contextLength: 2048, license: 'MIT', description: 'stories260K', files: [{ name: 'stories260K.gguf', size: tiny.length, sha256: tinyModelSha256, urls: [server.url('/tiny.gguf')] }] }],
      }),
    );
  });
  after(async () => {
    await server.stop();
    t.cleanup();
  });

  it('models list shows the default manifest and a user manifest with status and fit', async () => {
    const r = await run(['models', 'list', '--dir', models, '--manifest', manifestFile, '--db', db, '--json']);
    assert.equal(r.code, 0, r.err);
    const list = JSON.parse(r.out) as Array<{ id: string; status: string; origin: string; fit: { level: string; neededBytes: number; message: string } }>;
    const tinyEntry = list.find((e) => e.id === 'tiny-stories')!;
    assert.equal(tinyEntry.status, 'available');
    assert.equal(tinyEntry.origin, 'file');
    assert.equal(tinyEntry.fit.level, 'fits');
    assert.ok(list.some((e) => e.id === 'qwen2.5-0.5b-instruct-q4_k_m' && e.origin === 'default'));
    const table = await run(['models', 'list', '--dir', models, '--manifest', manifestFile, '--db', db]);
    assert.match(table.out, /^ID\s+ROLE\s+SIZE\s+STATUS\s+FIT$/m);
    assert.match(table.out, /^tiny-stories\s+chat\s+1\.13 MiB\s+available\s+fits \(needs ~/m);
  });

  it('download-model by id: reads the remote header for the fit, downloads, verifies, exits 0; list then says verified', async () => {
    const r = await run(['download-model', 'tiny-stories', '--dir', models, '--manifest', manifestFile, '--db', db]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Tiny stories \(1\.13 MiB\): Fits/);
    assert.match(r.out, /^Downloaded and verified: .*stories260K\.gguf$/m);
    assert.ok(readFileSync(join(models, 'stories260K.gguf')).equals(tiny));
    assert.ok(server.requestsFor('/tiny.gguf').some((q) => q.range?.startsWith('bytes=0-')), 'the fit check made a ranged header read');
    const again = await run(['download-model', 'tiny-stories', '--dir', models, '--manifest', manifestFile, '--db', db, '--json', '--no-fit']);
    assert.equal(again.code, 0);
    assert.equal((JSON.parse(again.out) as { files: Array<{ alreadyPresent: boolean }> }).files[0]!.alreadyPresent, true);
    const list = JSON.parse((await run(['models', 'list', '--dir', models, '--manifest', manifestFile, '--db', db, '--json'])).out) as Array<{ id: string; status: string }>;
    assert.equal(list.find((e) => e.id === 'tiny-stories')!.status, 'verified');
  });

  it('download-model by URL needs --sha256, and a wrong one exits 1 leaving no model behind', async () => {
    const dir = join(t.dir, 'url-models');
    const usage = await run(['download-model', server.url('/tiny.gguf'), '--dir', dir]);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--sha256 is required/);
    const bad = await run(['download-model', server.url('/tiny.gguf'), '--dir', dir, '--db', db, '--sha256', 'ab'.repeat(32), '--no-fit', '--json']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /does not match.*The download was deleted/);
    assert.equal((JSON.parse(bad.out) as { verified: boolean; error: { kind: string } }).error.kind, 'checksum');
    assert.deepEqual(existsSync(dir) ? readdirSync(dir) : [], []);
    const good = await run(['download-model', server.url('/tiny.gguf'), '--dir', dir, '--db', db, '--sha256', tinyModelSha256, '--size', String(tiny.length), '--name', 'my-tiny.gguf']);
    assert.equal(good.code, 0, good.err);
    assert.ok(readFileSync(join(dir, 'my-tiny.gguf')).equals(tiny));
    const unsafe = await run(['download-model', server.url('/tiny.gguf'), '--dir', dir, '--sha256', tinyModelSha256, '--name', '../escape.gguf']);
    assert.equal(unsafe.code, 2);
    assert.match(unsafe.err, /must be a plain file name/);
  });

  it('download-model reports 404 clearly with exit 1', async () => {
    const r = await run(['download-model', server.url('/gone.gguf'), '--dir', join(t.dir, 'm404'), '--db', db, '--sha256', tinyModelSha256, '--no-fit']);
    assert.equal(r.code, 1);
    assert.match(r.err, /HTTP 404 Not Found from http:\/\/127\.0\.0\.1:\d+\/gone\.gguf/);
  });

  it('verify exits 0 on a match (remembered the second time), 1 on a mismatch, 2 on a bad --sha256', async () => {
    const file = join(models, 'stories260K.gguf');
    const ok = await run(['verify', file, '--db', db, '--manifest', manifestFile, '--json']);
    assert.equal(ok.code, 0, ok.err);
    const res = JSON.parse(ok.out) as { match: boolean; cached: boolean; expectedFrom: string; manifestId: string };
    assert.equal(res.match, true);
    assert.equal(res.cached, true, 'download-model remembered the hash');
    assert.equal(res.manifestId, 'tiny-stories');
    const forced = JSON.parse((await run(['verify', file, '--db', db, '--manifest', manifestFile, '--json', '--force'])).out) as { cached: boolean; match: boolean };
    assert.equal(forced.cached, false);
    assert.equal(forced.match, true);
    const bad = await run(['verify', file, '--db', db, '--sha256', 'cd'.repeat(32)]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /^MISMATCH: .*stories260K\.gguf$/m);
    assert.equal((await run(['verify', file, '--sha256', 'xyz'])).code, 2);
    const missing = await run(['verify', join(models, 'nope.gguf'), '--db', db]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /File not found/);
  });

  it('download-model stops on Ctrl+C (the command signal), keeps the part, and says how to resume', async () => {
    server.routes.set('/slow.gguf', { data: tiny, throttle: { chunk: 16 * 1024, delayMs: 30 } });
    const ac = new AbortController();
    const dir = join(t.dir, 'cancelled');
    // Interrupt once some bytes are on disk (polling the part, as a user would see it grow).
    const poll = setInterval(() => {
      const part = join(dir, 'slow.gguf.part');
      if (existsSync(part) && readFileSync(part).length > 0) {
        clearInterval(poll);
        ac.abort(new Error('Interrupted.'));
      }
    }, 20);
    const r = await run(['download-model', server.url('/slow.gguf'), '--dir', dir, '--db', db, '--sha256', tinyModelSha256, '--no-fit'], ac.signal);
    assert.equal(r.code, 130);
    assert.match(r.err, /Cancelled\. The partial download is kept \(slow\.gguf\.part\); run the same command again to resume\./);
    assert.ok(existsSync(join(dir, 'slow.gguf.part')));
    assert.equal(existsSync(join(dir, 'slow.gguf')), false);
  });
});
