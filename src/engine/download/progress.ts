// Progress figures for a download: bytes so far, total, a speed over the last few seconds (not
// since the start, so it follows the link's current rate) and the time left at that speed.

export interface DownloadProgress {
  /** Bytes of the file present so far (including a resumed part). */
  bytes: number;
  /** Expected total size, when known. */
  total: number | undefined;
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined when unknown. */
  etaSeconds: number | undefined;
  /** Which file of a multi-file model, 1-based, and how many. */
  fileIndex?: number;
  fileCount?: number;
  fileName?: string;
  /** 'hashing' while an existing part is hashed before resuming; 'downloading' otherwise. */
  phase: 'hashing' | 'downloading';
  /** Set while the connection is silent: how long, and what happens next (in words). */
  waiting?: string;
}

const WINDOW_MS = 5000;

export class SpeedMeter {
  private readonly samples: Array<{ t: number; bytes: number }> = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Records that the file now has `bytes` bytes; returns bytes per second over the window. */
  update(bytes: number): number {
    const t = this.now();
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - this.samples[0]!.t > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (t - first.t) / 1000;
    return dt > 0 ? Math.max(0, (bytes - first.bytes) / dt) : 0;
  }

  reset(): void {
    this.samples.length = 0;
  }
}

export function eta(bytes: number, total: number | undefined, bytesPerSecond: number): number | undefined {
  if (total === undefined || bytesPerSecond <= 0) return undefined;
  return Math.max(0, (total - bytes) / bytesPerSecond);
}
