// What this machine has: RAM from the OS, and GPU memory when it can be learned cheaply
// (`nvidia-smi` on NVIDIA machines; the extension may pass the engine's own VRAM figures instead).
import { execFile } from 'node:child_process';
import { availableParallelism, freemem, totalmem } from 'node:os';

export interface VramInfo {
  total: number;
  free: number;
  /** Where the figures came from, e.g. "nvidia-smi (NVIDIA H100 80GB HBM3)". */
  source: string;
}

export interface HardwareInfo {
  totalRam: number;
  freeRam: number;
  cpus: number;
  vram: VramInfo | null;
}

/** Sum over all NVIDIA GPUs, or null when there is no nvidia-smi (or it fails within 3 s). */
export function nvidiaVram(timeoutMs = 3000): Promise<VramInfo | null> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'], { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve(null);
      let total = 0;
      let free = 0;
      const names: string[] = [];
      for (const line of stdout.split('\n')) {
        const m = /^(.*),\s*(\d+),\s*(\d+)\s*$/.exec(line.trim());
        if (!m) continue;
        names.push(m[1]!.trim());
        total += Number(m[2]) * 1024 * 1024; // MiB
        free += Number(m[3]) * 1024 * 1024;
      }
      resolve(names.length > 0 ? { total, free, source: `nvidia-smi (${names.join(', ')})` } : null);
    });
  });
}

export async function detectHardware(opts: { vram?: VramInfo | null; probeGpu?: boolean } = {}): Promise<HardwareInfo> {
  const vram = opts.vram !== undefined ? opts.vram : opts.probeGpu === false ? null : await nvidiaVram();
  return { totalRam: totalmem(), freeRam: freemem(), cpus: availableParallelism(), vram };
}
