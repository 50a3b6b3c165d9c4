// Hardware fit: the GGUF header parser on the real tiny model (from disk, and over HTTP with a
// ranged read that fetches only the header), its refusals, and the fits / tight / won't-fit verdicts.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { GgufPrefixError, NeedMoreBytes, parseGgufPrefix } from '../../../src/engine/fit/ggufPrefix';
import { detectHardware, type HardwareInfo } from '../../../src/engine/fit/hardware';
import { defaultContextSize, judgeHardwareFit, kvCacheBytes, shapeFromHeader, shapeFromManifest } from '../../../src/engine/fit/hardwareFit';
import { modelShape, readLocalGgufPrefix } from '../../../src/engine/fit/modelShape';
import { readRemoteGgufHeader } from '../../../src/engine/fit/remoteHeader';
import { readGgufHeader } from '../../../src/engine/gguf/ggufHeader';
import { defaultManifest } from '../../../src/engine/models/manifestSources';
import { tinyModel } from '../../helpers/paths';
import { FileServer } from './helpers/fileServer';

const GiB = 2 ** 30;

describe('GGUF header from a prefix', () => {
  const tiny = readFileSync(tinyModel);

  it('reads the real tiny model: architecture, shape and where tensor data starts', async () => {
    const info = await readLocalGgufPrefix(tinyModel);
    assert.equal(info.architecture, 'llama');
    assert.equal(info.tensorCount, 48);
    assert.equal(info.metadata.get('llama.block_count'), 5);
    assert.equal(info.metadata.get('llama.embedding_length'), 64);
    assert.equal(info.metadata.get('llama.attention.head_count'), 8);
    assert.equal(info.metadata.get('llama.attention.head_count_kv'), 4);
    assert.equal(info.metadata.get('llama.context_length'), 2048);
    // 292,800 F32 parameters: the tensor infos account for every byte of tensor data.
    assert.equal(info.tensorBytes, 292_800 * 4);
    assert.ok(info.dataOffset + info.tensorBytes <= tiny.length);
    // The engine's own (file) reader agrees on where the file must end.
    assert.equal(readGgufHeader(tinyModel).summary.requiredFileSize, info.dataOffset + info.tensorBytes);
    const shape = shapeFromHeader(info, tiny.length);
    assert.equal(shape.layers, 5);
    assert.equal(shape.headsKv, 4);
    assert.equal(shape.keyLength, 8);
    // KV cache: 5 layers x 4 KV heads x (8 + 8) x 2 bytes per token.
    assert.deepEqual(kvCacheBytes(shape, 1000), { bytes: 5 * 1000 * 4 * 16 * 2, exact: true });
  });

  it('asks for more bytes on a short prefix and refuses what is not GGUF', () => {
    for (const n of [3, 24, 1000]) assert.throws(() => parseGgufPrefix(tiny.subarray(0, n)), NeedMoreBytes);
    assert.throws(() => parseGgufPrefix(Buffer.from('<!DOCTYPE html><html>not a model</html>')), (e: unknown) => e instanceof GgufPrefixError && /Not a GGUF file \(starts with "<!DO"\)/.test(e.message));
    const v9 = Buffer.from(tiny.subarray(0, 64));
    v9.writeUInt32LE(9, 4);
    assert.throws(() => parseGgufPrefix(v9), /Unsupported GGUF version 9/);
    // A header that claims a 1 TB string is refused, not allocated.
    const evil = Buffer.alloc(64);
    evil.write('GGUF', 0, 'latin1');
    evil.writeUInt32LE(3, 4);
    evil.writeBigUInt64LE(0n, 8);
    evil.writeBigUInt64LE(1n, 16);
    evil.writeBigUInt64LE(2n ** 40n, 24);
    assert.throws(() => parseGgufPrefix(evil), /limit/);
  });
});

describe('remote GGUF header (ranged read)', () => {
  const server = new FileServer();
  const tiny = readFileSync(tinyModel);

  before(async () => {
    await server.start();
    server.routes.set('/tiny.gguf', { data: tiny });
    server.routes.set('/norange.gguf', { data: tiny, ignoreRange: true, throttle: { chunk: 16 * 1024, delayMs: 5 } });
    server.routes.set('/page.gguf', { data: Buffer.from('<html>login required</html>') });
  });
  after(async () => {
    await server.stop();
  });

  it('reads only the header with a Range request and learns the file size', async () => {
    const h = await readRemoteGgufHeader(server.url('/tiny.gguf'));
    assert.equal(h.info.architecture, 'llama');
    assert.equal(h.fileSize, tiny.length);
    assert.equal(h.rangeSupported, true);
    assert.match(server.requestsFor('/tiny.gguf')[0]!.range ?? '', /^bytes=0-\d+$/);
  });

  it('cuts a server that ignores Range once the header is complete', async () => {
    const h = await readRemoteGgufHeader(server.url('/norange.gguf'));
    assert.equal(h.rangeSupported, false);
    assert.equal(h.info.tensorCount, 48);
    assert.ok(h.bytesRead < tiny.length, `read ${h.bytesRead} of ${tiny.length} bytes`);
  });

  it('refuses a page that is not a GGUF file, and modelShape falls back to the manifest', async () => {
    await assert.rejects(readRemoteGgufHeader(server.url('/page.gguf')), /Not a GGUF file/);
    const model = { ...defaultManifest().models[0]!, files: [{ ...defaultManifest().models[0]!.files[0]!, urls: [server.url('/page.gguf')] }] };
    const notes: string[] = [];
    const shape = await modelShape(model, { remote: true, onNote: (n) => notes.push(n) });
    assert.equal(shape.source, 'manifest');
    assert.match(notes[0]!, /Not a GGUF file/);
    const exact = await modelShape({ ...model, files: [{ ...model.files[0]!, urls: [server.url('/tiny.gguf')] }] }, { remote: true });
    assert.equal(exact.source, 'gguf-header');
    assert.equal(exact.layers, 5);
  });
});

describe('hardware fit', () => {
  const laptop = (ramGiB: number, freeGiB: number, vram: HardwareInfo['vram'] = null): HardwareInfo => ({ totalRam: ramGiB * GiB, freeRam: freeGiB * GiB, cpus: 8, vram });
  const models = new Map(defaultManifest().models.map((m) => [m.id, m]));

  it('says fits / tight / won\u2019t fit with the figures', () => {
    const m = models.get('qwen2.5-1.5b-instruct-q4_k_m')!;
    const shape = shapeFromManifest(m);
    const ctx = defaultContextSize(m);
    assert.equal(ctx, 4096);
    const fits = judgeHardwareFit(shape, laptop(16, 10), ctx);
    assert.equal(fits.level, 'fits');
    assert.equal(fits.device, 'cpu');
    assert.equal(fits.weightsBytes, 1117320736);
    assert.equal(fits.neededBytes, fits.weightsBytes + fits.kvCacheBytes + fits.overheadBytes);
    assert.match(fits.message, /^Fits in RAM: needs ~\d/);
    assert.equal(judgeHardwareFit(shape, laptop(2.5, 1), ctx).level, 'tight');
    const no = judgeHardwareFit(shapeFromManifest(models.get('qwen2.5-7b-instruct-q4_k_m')!), laptop(4, 3), ctx);
    assert.equal(no.level, 'wont-fit');
    assert.match(no.message, /Won't fit: needs ~.*this machine has 4\.00 GiB RAM/);
  });

  it('uses GPU memory when it is known', () => {
    const shape = shapeFromManifest(models.get('qwen2.5-7b-instruct-q4_k_m')!);
    const gpu = judgeHardwareFit(shape, laptop(8, 4, { total: 24 * GiB, free: 20 * GiB, source: 'test' }), 4096);
    assert.equal(gpu.level, 'fits');
    assert.equal(gpu.device, 'gpu');
    assert.equal(gpu.vramFree, 20 * GiB);
    const busy = judgeHardwareFit(shape, laptop(8, 4, { total: 8 * GiB, free: 1 * GiB, source: 'test' }), 4096);
    assert.equal(busy.level, 'tight');
    assert.equal(busy.device, 'gpu');
  });

  it('estimates the KV cache from the manifest on the high side of the real one', () => {
    // Qwen2.5 1.5B: 28 layers x 2 KV heads x (128 + 128) x 2 bytes = 28 KiB per token (real).
    const est = kvCacheBytes(shapeFromManifest(models.get('qwen2.5-1.5b-instruct-q4_k_m')!), 4096);
    assert.equal(est.exact, false);
    assert.ok(est.bytes >= 28 * 2 * 256 * 2 * 4096);
  });

  it('reads this machine', async () => {
    const hw = await detectHardware({ probeGpu: false });
    assert.ok(hw.totalRam > 0 && hw.freeRam > 0 && hw.freeRam <= hw.totalRam);
    assert.equal(hw.vram, null);
  });
});
