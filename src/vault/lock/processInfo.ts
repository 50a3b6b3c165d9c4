// Is the process that wrote a lock still the same, living process?
//
// A PID alone is not enough: after a crash the PID may be reused by an unrelated process, and a
// lock that trusted it would stay held forever. On Linux the start time from /proc/<pid>/stat
// pins the exact process; elsewhere we fall back to "a process with this PID exists".
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Linux USER_HZ: /proc reports start times in these ticks; it is 100 on every mainstream kernel. */
const CLOCK_TICKS_PER_SECOND = 100;

let bootTimeMs: number | null | undefined;

function linuxBootTimeMs(): number | null {
  if (bootTimeMs !== undefined) return bootTimeMs;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootTimeMs = m ? Number(m[1]) * 1000 : null;
  } catch {
    bootTimeMs = null;
  }
  return bootTimeMs;
}

interface ProcStat {
  state: string;
  startedAt: number | null;
}

function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '?';
  const ticks = Number(fields[19]); // field 22, starttime
  const boot = linuxBootTimeMs();
  return { state, startedAt: boot !== null && Number.isFinite(ticks) ? boot + (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null };
}

const hasProc = ((): boolean => {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
})();

/** Start time of a process in ms since the epoch (Linux: exact, from /proc), or null when unknown. */
export function processStartTime(pid: number): number | null {
  if (hasProc) return readProcStat(pid)?.startedAt ?? null;
  if (pid === process.pid) return Math.round(Date.now() - process.uptime() * 1000);
  return null;
}

export interface ProcessIdentity {
  pid: number;
  startedAt: number | null;
  hostname: string;
}

export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startedAt: processStartTime(process.pid), hostname: hostname() };
}

export type Liveness = 'alive' | 'dead' | 'unknown';

/**
 * Whether the process identified by a lock record still runs. 'unknown' when it lives on another
 * machine (a vault on a shared drive): then we must not assume it is dead.
 */
export function liveness(id: ProcessIdentity): Liveness {
  if (id.hostname !== hostname()) return 'unknown';
  if (!Number.isInteger(id.pid) || id.pid <= 0) return 'dead';
  if (hasProc) {
    const stat = readProcStat(id.pid);
    // A zombie (Z) or dead (X) process has exited: it holds nothing any more.
    if (!stat || stat.state === 'Z' || stat.state === 'X') return 'dead';
    if (id.startedAt !== null && stat.startedAt !== null && Math.abs(stat.startedAt - id.startedAt) > 20) return 'dead';
    return 'alive';
  }
  try {
    process.kill(id.pid, 0);
    return 'alive';
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? 'alive' : 'dead';
  }
}
