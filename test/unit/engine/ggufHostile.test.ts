// Hostile GGUF files built from the real tiny model by rewriting one field of its header (parsed by
// helpers/ggufLayout.ts): each must be refused by the header check with its own message, before
// llama.cpp sees it, and a key or tensor name made of terminal escape sequences must reach the user
// escaped and cut short. Files llama.cpp refuses for reasons the header check cannot see (a tensor
// of the wrong shape for its architecture) get llama.cpp's reason, once, instead of a bare "Failed
// to load model". The real file still loads, and so does a variant with a valid general.alignment.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineError } from '../../../src/engine/client/engineClient';
import { GgufError, readGgufHeader } from '../../../src/engine/gguf/ggufHeader';
import { addLocalModel } from '../../../src/engine/verify/verifyModelFile';
import { tinyModel } from '../../helpers/paths';
import { cliInProcess as cli } from '../../helpers/runCli';
import { openFixture, type Fixture } from './engineFixtures';
import { ggufLayout, u32, withBytes, withField, withInsertedKv } from './helpers/ggufLayout';

const model = readFileSync(tinyModel);
const layout = ggufLayout(model);
const kv = (key: string): number => layout.kv.get(key)!.valueAt;
const tensor = (i: number) => layout.tensors[i]!;
/** Anything a terminal would act on, or that reorders text. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const ESCAPES = '\x1b]0;pwned\x07\x1b[2J\x1b[31m';

function refusal(file: string): GgufError {
  try {
    readGgufHeader(file);
  } catch (err) {
    assert.ok(err instanceof GgufError, `GgufError expected, got ${String(err)}`);
    return err;
  }
  assert.fail(`${file} was accepted`);
}

describe('hostile GGUF files', () => {
  let fx: Fixture;
  const files: Record<string, string> = {};
  // name -> [bytes, expected message]
  const cases: Record<string, [Buffer, RegExp]> = {
    'dim-zero': [withField(model, tensor(3).dimAt[1]!, 0, 8), /tensor "blk\.0\.attn_q\.weight" has a dimension of 0 \(dimension 1\): an empty tensor/],
    'type-unknown': [withField(model, tensor(3).typeAt, 99, 4), /tensor "blk\.0\.attn_q\.weight" has unknown type 99/],
    'type-removed': [withField(model, tensor(3).typeAt, 5, 4), /tensor "blk\.0\.attn_q\.weight" has type 5 \(Q4_3\), which llama\.cpp no longer loads/],
    'type-block': [withField(model, tensor(3).typeAt, 15, 4), /tensor "blk\.0\.attn_q\.weight" has rows of 64 elements, not a multiple of its type Q8_K's block of 256/],
    'offset-misaligned': [withField(model, tensor(1).offsetAt, tensor(1).offset + 1, 8), /tensor "output_norm\.weight" has its data at offset 131073, not a multiple of the default alignment 32/],
    'offset-gap': [withField(model, tensor(2).offsetAt, tensor(2).offset + 32, 8), /tensor "output\.weight" has its data at offset 131360, but the tensors before it end at 131328/],
    'offset-past-end': [withField(model, tensor(47).offsetAt, tensor(47).offset + (1 << 20), 8), /has its data at offset \d+, but the tensors before it end at \d+/],
    'dims-five': [withField(model, tensor(1).at + 8 + tensor(1).name.length, 5, 4), /tensor "output_norm\.weight" has 5 dimensions \(1 to 4 are allowed\)/],
    'duplicate-tensor': [withBytes(model, tensor(4).nameAt, Buffer.from(tensor(3).name)), /tensor "blk\.0\.attn_q\.weight" \(#4\) appears twice/],
    'alignment-1024': [withInsertedKv(model, 'general.alignment', 4, u32(1024), 1024), /tensor "output\.weight" has its data at offset 131328, not a multiple of general\.alignment 1024/],
    'alignment-u64': [withInsertedKv(model, 'general.alignment', 10, Buffer.alloc(8, 0)), /general\.alignment must be a u32 \(it is value type 10\)/],
    'context-zero': [withField(model, kv('llama.context_length'), 0, 4), /cannot be loaded: llama\.context_length is 0; a model's training context is between 1 and 268435456 tokens/],
    'context-max': [withField(model, kv('llama.context_length'), 2 ** 32 - 1, 4), /cannot be loaded: llama\.context_length is 4294967295;/],
    'context-i32': [withField(model, layout.kv.get('llama.context_length')!.valueAt - 4, 5, 4), /llama\.context_length is stored as i32; llama\.cpp requires u32/],
    'embedding-zero': [withField(model, kv('llama.embedding_length'), 0, 4), /llama\.embedding_length is 0; an embedding has at least one dimension/],
    'blocks-zero': [withField(model, kv('llama.block_count'), 0, 4), /llama\.block_count is 0; llama\.cpp loads models of 1 to 512 layers/],
    'blocks-many': [withField(model, kv('llama.block_count'), 513, 4), /llama\.block_count is 513;/],
    'heads-zero': [withField(model, kv('llama.attention.head_count'), 0, 4), /llama\.attention\.head_count is 0; a model has at least one attention head/],
    'no-context-key': [withBytes(model, layout.kv.get('llama.context_length')!.at + 8, Buffer.from('llama.context_lengtX')), /it has no llama\.context_length key \(llama\.cpp requires it\)/],
  };

  let savedHome: string | undefined;

  before(async () => {
    fx = await openFixture();
    // The CLI's state database (model hash records) in this test's own home, not the user's.
    savedHome = process.env.CODEX_VAULT_HOME;
    process.env.CODEX_VAULT_HOME = join(fx.dir, 'home');
    const w = (name: string, data: Buffer): void => {
      files[name] = join(fx.dir, `${name}.gguf`);
      writeFileSync(files[name], data);
    };
    for (const [name, [data]] of Object.entries(cases)) w(name, data);
    // A key made of escape sequences whose value has an unknown type; and a 60,000-byte one.
    const nameKey = layout.kv.get('general.name')!;
    w('escape-key', withField(withBytes(model, nameKey.at + 8, Buffer.from(ESCAPES.slice(0, 'general.name'.length))), nameKey.valueAt - 4, 77, 4));
    w('long-key', withInsertedKv(model, Buffer.from(`${ESCAPES}\u202e`.repeat(2900)), 77, Buffer.alloc(0)));
    // A tensor whose name is escape sequences, with an empty dimension.
    w('escape-tensor', withBytes(withField(model, tensor(3).dimAt[1]!, 0, 8), tensor(3).nameAt, Buffer.from(`\x1b[2J\x1b]0;x\x07\x1b[1m`.padEnd(19, 'Z'))));
    // Valid: general.alignment 64 (every tensor of the tiny model is a multiple of 64 bytes).
    w('alignment-64', withInsertedKv(model, 'general.alignment', 4, u32(64), 64));
    // Passes every header rule, yet llama.cpp refuses it: attn_k's shape transposed.
    const k = tensor(4);
    w('wrong-shape', withField(withField(model, k.dimAt[0]!, k.dims[1]!, 8), k.dimAt[1]!, k.dims[0]!, 8));
  });

  after(async () => {
    if (savedHome === undefined) delete process.env.CODEX_VAULT_HOME;
    else process.env.CODEX_VAULT_HOME = savedHome;
    await fx.close();
  });

  it('refuses each hostile file with its own message; the real file and a valid alignment pass', () => {
    assert.equal(readGgufHeader(tinyModel).summary.requiredFileSize, model.length);
    assert.equal(readGgufHeader(files['alignment-64']!).summary.tensorCount, 48);
    const messages = new Set<string>();
    for (const [name, [, message]] of Object.entries(cases)) {
      const err = refusal(files[name]!);
      assert.equal(err.code, 'malformed', name);
      assert.match(err.message, message, name);
      messages.add(err.message.replace(files[name]!, ''));
    }
    assert.equal(messages.size, Object.keys(cases).length, 'every file has its own message');
  });

  it('shows keys and tensor names from the file escaped and cut short', () => {
    const key = refusal(files['escape-key']!);
    assert.match(key.message, /unknown value type 77 for the value of "\\x1b\]0;pwned\\x07\\x1b\["/);
    const long = refusal(files['long-key']!);
    assert.ok(long.message.length < 600, `message of ${long.message.length} characters`);
    assert.match(long.message, /"\\x1b\]0;pwned\\x07\\x1b\[2J\\x1b\[31m\\u202e\\x1b.*… \(58000 characters\)"/);
    const t = refusal(files['escape-tensor']!);
    assert.match(t.message, /tensor "\\x1b\[2J\\x1b\]0;x\\x07\\x1b\[1mZ+" has a dimension of 0/);
    for (const m of [key.message, long.message, t.message]) assert.doesNotMatch(m, RAW_CONTROL);
  });

  it('models inspect and generate print those refusals escaped, without starting llama.cpp on them', async () => {
    for (const name of ['escape-key', 'long-key', 'escape-tensor']) {
      const r = await cli(['models', 'inspect', files[name]!]);
      assert.equal(r.code, 1, name);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^codex-vault models inspect: .*malformed GGUF header/);
      assert.doesNotMatch(r.stderr, RAW_CONTROL, name);
    }
    const g = await cli(['generate', 'Once', '--model', files['context-zero']!, '--gpu', 'cpu', '--threads', '1']);
    assert.equal(g.code, 1);
    assert.match(g.stderr, /^codex-vault generate: .*context-zero\.gguf cannot be loaded: llama\.context_length is 0/);
    assert.doesNotMatch(g.stderr, /Failed to free up space/);
    const e = await cli(['generate', 'Once', '--model', files['escape-tensor']!, '--gpu', 'cpu', '--threads', '1']);
    assert.equal(e.code, 1);
    assert.doesNotMatch(e.stderr, RAW_CONTROL);
  });

  it('a file llama.cpp refuses gets its reason once, not "Failed to load model"; the native lines stay in the log', async () => {
    const logged: string[] = [];
    const off = fx.engine.onEvent((e) => {
      if (e.type === 'log' && e.source === 'native') logged.push(e.message);
    });
    await addLocalModel(fx.records, files['wrong-shape']!);
    await fx.engine.start();
    const pid = fx.engine.pid;
    await assert.rejects(fx.engine.loadModel(files['wrong-shape']!), (err: unknown) => {
      assert.ok(err instanceof EngineError);
      assert.equal(err.code, 'load-failed');
      assert.match(err.message, /^Cannot load .*wrong-shape\.gguf: llama\.cpp refused it \(tensor 'blk\.0\.attn_k\.weight' has wrong shape; expected 64, 32, got 32, 64, 1, 1\)\.$/);
      return true;
    });
    off();
    assert.ok(logged.some((l) => /has wrong shape/.test(l)), 'the native line reached the log');
    // The CLI says it once; --verbose adds llama.cpp's own lines.
    const quiet = await cli(['generate', 'Once', '--model', files['wrong-shape']!, '--gpu', 'cpu', '--threads', '1']);
    assert.equal(quiet.code, 1);
    assert.equal(quiet.stderr.match(/wrong shape/g)?.length, 1, quiet.stderr);
    const verbose = await cli(['generate', 'Once', '--model', files['wrong-shape']!, '--gpu', 'cpu', '--threads', '1', '--verbose']);
    assert.ok((verbose.stderr.match(/engine: .*wrong shape/g)?.length ?? 0) >= 1, verbose.stderr);
    // The engine survived, and the real file and the valid alignment variant load and generate.
    assert.equal(fx.engine.pid, pid);
    await addLocalModel(fx.records, files['alignment-64']!);
    for (const f of [tinyModel, files['alignment-64']!]) {
      const h = await fx.engine.loadModel(f, { contextSize: 128 });
      assert.equal((await fx.engine.generate(h, 'Once', { maxTokens: 3 }).result).tokens, 3);
      await fx.engine.unloadModel(h);
    }
  });

  it('300 random header mutations are each accepted or refused with a GgufError, never anything else', () => {
    const f = join(fx.dir, 'fuzz.gguf');
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(model);
      for (let n = randomInt(1, 4); n > 0; n--) b[randomInt(0, layout.infoEnd)] = randomInt(0, 256);
      writeFileSync(f, b);
      try {
        readGgufHeader(f);
      } catch (err) {
        assert.ok(err instanceof GgufError, `mutation ${i}: ${String(err)}`);
        assert.doesNotMatch(err.message, RAW_CONTROL, `mutation ${i}`);
      }
    }
  });
});
