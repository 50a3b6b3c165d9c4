// GGUF files before loading: the real tiny model's metadata, and every kind of bad file refused
// with its own message (by the bounded header check, and through the engine without harming it).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../src/engine/client/engineClient';
import { GgufError, readGgufHeader } from '../../../src/engine/gguf/ggufHeader';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import { sharedDir, tinyModel } from '../../helpers/paths';
import { openFixture, type Fixture } from './engineFixtures';

const model = readFileSync(tinyModel);

function expectGguf(file: string, code: GgufError['code'], message: RegExp): void {
  assert.throws(() => readGgufHeader(file), (err: unknown) => {
    assert.ok(err instanceof GgufError, `GgufError expected, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

describe('GGUF header check', () => {
  let fx: Fixture;
  const files: Record<string, string> = {};

  before(async () => {
    fx = await openFixture();
    const w = (name: string, data: Uint8Array): void => {
      files[name] = join(fx.dir, name);
      writeFileSync(files[name], data);
    };
    w('truncated-data.gguf', model.subarray(0, 600_000));
    w('truncated-header.gguf', model.subarray(0, 3000));
    w('empty.gguf', new Uint8Array(0));
    // Deterministic "random" bytes.
    const junk = Buffer.alloc(65536);
    let x = 12345;
    for (let i = 0; i < junk.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      junk[i] = x >>> 24;
    }
    w('garbage.gguf', junk);
    files['renamed.gguf'] = join(fx.dir, 'renamed.gguf');
    copyFileSync(join(sharedDir, 'models', 'README.md'), files['renamed.gguf']);
    const v1 = Buffer.from(model);
    v1.writeUInt32LE(1, 4);
    w('version1.gguf', v1);
    const v99 = Buffer.from(model);
    v99.writeUInt32LE(99, 4);
    w('version99.gguf', v99);
    const manyTensors = Buffer.from(model);
    manyTensors.writeBigUInt64LE(1n << 40n, 8);
    w('many-tensors.gguf', manyTensors);
    const manyKv = Buffer.from(model);
    manyKv.writeBigUInt64LE(1n << 62n, 16);
    w('many-kv.gguf', manyKv);
    const key = Buffer.from('tokenizer.ggml.tokens');
    const hugeArray = Buffer.from(model);
    hugeArray.writeBigUInt64LE(1n << 50n, model.indexOf(key) + key.length + 8);
    w('huge-array.gguf', hugeArray);
    const nameKey = Buffer.from('general.architecture');
    const hugeString = Buffer.from(model);
    hugeString.writeBigUInt64LE(1n << 40n, model.indexOf(nameKey) + nameKey.length + 4);
    w('huge-string.gguf', hugeString);
    files.folder = join(fx.dir, 'folder.gguf');
    mkdirSync(files.folder);
  });

  after(async () => {
    await fx.close();
  });

  it('reads the tiny model\'s metadata', () => {
    const s = readGgufHeader(tinyModel).summary;
    assert.equal(s.version, 3);
    assert.equal(s.architecture, 'llama');
    assert.equal(s.name, 'llama');
    assert.equal(s.parameterCount, 292_800);
    assert.equal(s.tensorCount, 48);
    assert.equal(s.fileType, 'F32');
    assert.equal(s.contextLength, 2048);
    assert.equal(s.embeddingLength, 64);
    assert.equal(s.layers, 5);
    assert.equal(s.heads, 8);
    assert.equal(s.headsKv, 4);
    assert.equal(s.vocabularySize, 512);
    assert.equal(s.tokenizerModel, 'llama');
    assert.equal(s.hasChatTemplate, false);
    assert.equal(s.requiredFileSize, model.length, 'the tensors end exactly at the end of the file');
  });

  it('refuses truncated, garbage, renamed and malformed files with specific messages', () => {
    expectGguf(files['truncated-data.gguf'], 'truncated', /is truncated: its tensors need 1185376 bytes but the file has 600000 \(51% present\)/);
    expectGguf(files['truncated-header.gguf'], 'truncated', /is truncated: the GGUF header needs \d+ more bytes for 512 strings of "tokenizer\.ggml\.tokens"/);
    expectGguf(files['empty.gguf'], 'not-gguf', /is not a GGUF model file \(0 bytes/);
    expectGguf(files['garbage.gguf'], 'not-gguf', /is not a GGUF model file \(bad magic: starts with 0x[0-9a-f]{8}, expected "GGUF"\)/);
    expectGguf(files['renamed.gguf'], 'not-gguf', /is not a GGUF model file \(bad magic: starts with "# Te", expected "GGUF"\)/);
    expectGguf(files['version1.gguf'], 'unsupported-version', /has GGUF version 1; only versions 2 and 3 are supported/);
    expectGguf(files['version99.gguf'], 'unsupported-version', /GGUF version 99/);
    expectGguf(files['many-tensors.gguf'], 'malformed', /claims 1099511627776 tensors/);
    expectGguf(files['many-kv.gguf'], 'malformed', /metadata count is \d+, beyond any real file|claims \d+ metadata entries/);
    expectGguf(files['huge-array.gguf'], 'truncated', /1125899906842624 strings of "tokenizer\.ggml\.tokens"/);
    expectGguf(files['huge-string.gguf'], 'malformed', /the value of "general\.architecture" claims 1099511627776 bytes/);
    expectGguf(files.folder, 'not-gguf', /is a folder/);
    expectGguf(join(fx.dir, 'missing.gguf'), 'not-found', /Model file not found/);
  });

  it('the engine inspects the real model and refuses bad files without harm', async () => {
    const insp = await fx.engine.inspect(tinyModel, { contextSize: 1024 });
    assert.equal(insp.gguf.architecture, 'llama');
    assert.equal(insp.insights.totalParameters, 292_800);
    assert.equal(insp.insights.trainContextSize, 2048);
    assert.equal(insp.insights.embeddingVectorSize, 64);
    assert.equal(insp.estimate.contextSize, 1024);
    assert.ok(insp.estimate.contextBytes > 0);
    assert.equal(insp.estimate.totalBytes, insp.estimate.modelBytes + insp.estimate.contextBytes);
    assert.equal(insp.fit.fits, true);
    const pid = fx.engine.pid;

    const cases: Array<[string, string, RegExp]> = [
      ['truncated-data.gguf', 'truncated', /truncated/],
      ['garbage.gguf', 'not-gguf', /bad magic/],
      ['renamed.gguf', 'not-gguf', /not a GGUF model file/],
      ['many-tensors.gguf', 'malformed', /1099511627776 tensors/],
      ['version99.gguf', 'unsupported-version', /version 99/],
    ];
    for (const [name, code, message] of cases) {
      await assert.rejects(fx.engine.inspect(files[name]), (err: unknown) => err instanceof EngineError && err.code === code && message.test(err.message));
      // Even a file the user vouched for is refused by the header check before llama.cpp sees it.
      await addLocalModel(fx.records, files[name]);
      await assert.rejects(fx.engine.loadModel(files[name]), (err: unknown) => err instanceof EngineError && err.code === code && message.test(err.message));
    }
    assert.equal(fx.engine.pid, pid, 'the engine survived every bad file');
    const ok = await fx.engine.loadModel(tinyModel, { contextSize: 256 });
    assert.equal((await fx.engine.generate(ok, 'Once', { maxTokens: 3 }).result).tokens, 3);
  });
});
