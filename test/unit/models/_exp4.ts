import { spawn, spawnSync } from 'node:child_process';
import { request, stream } from 'undici';
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'exp-'));
const f = join(dir, 'p.bin');
writeFileSync(f, randomBytes(200 * 1024 * 1024));
const SERVER = `const http=require('node:http'),fs=require('node:fs');const f=process.argv[1];const size=fs.statSync(f).size;const s=http.createServer((q,r)=>{r.writeHead(200,{'content-length':size});fs.createReadStream(f,{highWaterMark:1<<20}).pipe(r)});s.listen(0,'127.0.0.1',()=>process.stdout.write(s.address().port+'\\n'))`;
const p = spawn(process.execPath, ['-e', SERVER, f], { stdio: ['ignore', 'pipe', 'inherit'] });
p.stdout!.once('data', async (d) => {
  const url = `http://127.0.0.1:${String(d).trim()}/`;
  for (let i = 0; i < 4; i++) {
    let t = performance.now();
    const r = await request(url); for await (const c of r.body) void c;
    const a = 200 / ((performance.now() - t) / 1000);
    t = performance.now();
    await stream(url, { method: 'GET' }, () => new Writable({ write(_c, _e, cb) { cb(); } }));
    const b = 200 / ((performance.now() - t) / 1000);
    t = performance.now();
    const r2 = await request(url); await new Promise<void>((res) => { r2.body.on('data', () => {}); r2.body.on('end', res); });
    const c = 200 / ((performance.now() - t) / 1000);
    t = performance.now();
    spawnSync('curl', ['-s', '-o', '/dev/null', url]);
    const e = 200 / ((performance.now() - t) / 1000);
    console.log(`for-await ${a.toFixed(0)}  stream() ${b.toFixed(0)}  on-data ${c.toFixed(0)}  curl ${e.toFixed(0)}`);
  }
  p.kill(); rmSync(dir, { recursive: true });
});
