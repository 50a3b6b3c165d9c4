// `node --import tsx scripts/build-wasm.ts`: regenerates src/vault/vectors/int8DotWasm.ts from
// int8Dot.wat (see scripts/wasm/int8Dot.ts). Run it after editing the .wat, and commit both.
import { writeFileSync } from 'node:fs';
import { compileInt8Dot, generatedPath, renderGenerated } from './wasm/int8Dot';

compileInt8Dot().then(
  (bytes) => {
    writeFileSync(generatedPath, renderGenerated(bytes));
    console.log(`wrote ${generatedPath} (${bytes.length} bytes of WebAssembly)`);
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
