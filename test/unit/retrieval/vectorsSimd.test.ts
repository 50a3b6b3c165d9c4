// The WebAssembly SIMD first pass of the vector search: its committed bytes, its arithmetic, and
// that it (like the plain-JS fallback) yields exactly the float32 top-k.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileInt8Dot, generatedPath, renderGenerated } from '../../../scripts/wasm/int8Dot';
import { INT8_DOT_WASM_BASE64 } from '../../../src/vault/vectors/int8DotWasm';
import { createMatrix, searchF32, searchInt8, truncateMatrix, type VectorMatrix } from '../../../src/vault/vectors/kernel';
import { normalize, quantizeInt8 } from '../../../src/vault/vectors/quantize';
import { SimdArena, simdModule } from '../../../src/vault/vectors/simdKernel';
import { gaussian, randomVector, rng } from './helpers';

test('the committed WebAssembly bytes are what int8Dot.wat compiles to (regenerate: node --import tsx scripts/build-wasm.ts)', async () => {
  const bytes = await compileInt8Dot();
  assert.deepEqual(Buffer.from(INT8_DOT_WASM_BASE64, 'base64'), Buffer.from(bytes));
  assert.equal(readFileSync(generatedPath, 'utf8'), renderGenerated(bytes));
});

test('this Node has WebAssembly SIMD, and matrices use it unless told not to', () => {
  assert.ok(simdModule(), 'WebAssembly SIMD is available in Node 20');
  const m = createMatrix(10, 32);
  assert.ok(m.simd);
  assert.equal(m.i8.buffer, m.simd.i8.buffer);
  assert.equal(createMatrix(10, 32, { simd: false }).simd, undefined);
  assert.equal(createMatrix(0, 32).simd, undefined, 'nothing to hold: no arena');
});

test('SIMD dot products are exact int32 sums, past the last block of 16 and at the extremes of both ranges', () => {
  const rand = rng(11);
  for (const dim of [1, 7, 15, 16, 17, 48, 97, 384, 1000, 4096]) {
    const count = 9;
    const arena = SimdArena.create(count, dim);
    assert.ok(arena);
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < dim; i++) {
        // Rows 0 and 1 are all +127 and all -128 (the largest magnitudes); the rest random.
        arena.i8[r * dim + i] = r === 0 ? 127 : r === 1 ? -128 : Math.floor(rand() * 256) - 128;
      }
    }
    // A query whose every component has the largest magnitude: the worst case for overflow.
    const q = new Float32Array(dim).fill(-1 / Math.sqrt(dim));
    for (const query of [q, normalize(randomVector(rand, dim))]) {
      const scale = arena.run(query, count);
      assert.ok(arena.queryRange * 128 * dim <= 0x7fffffff, `dim ${dim}: the int16 range keeps sums inside int32`);
      for (let i = 0; i < dim; i++) assert.ok(Math.abs(arena.query[i]! * scale - query[i]!) <= scale / 2 + 1e-12);
      for (let r = 0; r < count; r++) {
        let exact = 0;
        for (let i = 0; i < dim; i++) exact += arena.i8[r * dim + i]! * arena.query[i]!;
        assert.equal(arena.dots[r], exact, `dim ${dim}, row ${r}`);
      }
    }
  }
});

function fill(m: VectorMatrix, vectors: Float32Array[]): void {
  vectors.forEach((v, r) => {
    const f = normalize(v);
    const q = quantizeInt8(f);
    m.f32.set(f, r * m.dim);
    m.i8.set(q.i8, r * m.dim);
    m.scales[r] = q.scale;
  });
}

/** SIMD pass, JS pass and plain f32 agree exactly (rows and similarities) for each k. */
function agree(m: VectorMatrix, query: Float32Array, ks: number[], what: string, opts: { mask?: Uint8Array; candidates?: number } = {}): void {
  const q = normalize(query);
  for (const k of ks) {
    const exact = searchF32(m, q, k, { mask: opts.mask });
    const simd = searchInt8(m, q, k, opts);
    const js = searchInt8(m, q, k, { ...opts, simd: false });
    assert.equal(simd.stats.firstPass, m.simd ? 'wasm-simd' : 'js');
    assert.equal(js.stats.firstPass, 'js');
    assert.deepEqual(simd.matches, exact, `${what}, k ${k}: SIMD pass`);
    assert.deepEqual(js.matches, exact, `${what}, k ${k}: JS pass`);
  }
}

test('the SIMD and JS int8 passes both return exactly the f32 top-k on random data, masked or not, any dimension', () => {
  const rand = rng(5);
  for (const dim of [64, 100, 384]) {
    const count = 1500;
    const m = createMatrix(count, dim);
    assert.ok(m.simd);
    fill(m, Array.from({ length: count }, () => randomVector(rand, dim)));
    const mask = Uint8Array.from({ length: count }, () => (rand() < 0.3 ? 1 : 0));
    for (let qi = 0; qi < 8; qi++) {
      const query = randomVector(rand, dim);
      agree(m, query, [1, 10, 30], `dim ${dim}, query ${qi}`);
      agree(m, query, [1, 10], `dim ${dim}, query ${qi}, masked`, { mask });
    }
    // A matrix filled short of its allocation (rows written concurrently with the load) searches its prefix.
    agree(truncateMatrix(m, 700), randomVector(rand, dim), [5, 25], `dim ${dim}, truncated`);
  }
});

test('the SIMD and JS passes equal exact f32 on near-duplicates below int8 resolution, exact ties and coarse scales', () => {
  const rand = rng(9);
  const dim = 40; // not a multiple of 16: the kernel's scalar tail takes part
  const base = randomVector(rand, dim);
  const vectors: Float32Array[] = [];
  for (let i = 0; i < 300; i++) vectors.push(Float32Array.from(base, (x) => x + gaussian(rand) * 1e-4));
  for (let i = 0; i < 20; i++) vectors.push(Float32Array.from(base));
  for (let i = 0; i < 1000; i++) vectors.push(randomVector(rand, dim));
  for (let i = 0; i < 80; i++) {
    const v = Float32Array.from(base, (x) => x * 0.5);
    v[i % dim] = 40;
    vectors.push(v);
  }
  const m = createMatrix(vectors.length, dim);
  fill(m, vectors);
  const queries = [base, Float32Array.from(base, (x) => x + 0.01), ...Array.from({ length: 6 }, () => Float32Array.from(base, (x) => x + gaussian(rand) * 0.05))];
  for (const [qi, query] of queries.entries()) agree(m, query, [1, 5, 30], `adversarial query ${qi}`, { candidates: 8 });
  // The int8 pass cannot order the near-duplicates: the error bound pulled more rows in.
  assert.ok(searchInt8(m, normalize(base), 10, { candidates: 8 }).stats.rescored > 8);
});
