// Process (memory, CPU time) and system memory figures for the memory tracker (plain Node; the engine adds VRAM and
// per-model figures from node-llama-cpp).
import { freemem, totalmem } from 'node:os';
import type { MemorySnapshot } from '../protocol';

export function processAndSystem(): Pick<MemorySnapshot, 'process' | 'system'> {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    process: { pid: process.pid, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000 },
    system: { total: totalmem(), free: freemem() },
  };
}
