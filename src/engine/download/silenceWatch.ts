// Says that a download is still waiting for data, and why, while the connection is silent: a user
// otherwise sees a frozen progress line until the stall timeout gives up on the attempt.
import { describeUrl } from './errors';

/** Silence shorter than this is not worth a word (a busy server, a slow start). */
const QUIET_MS = 5000;

export class SilenceWatch {
  private last = performance.now();
  private readonly timer: NodeJS.Timeout;

  /** Calls `onSilence(seconds, host)` about once a second while no byte has arrived for a while. */
  constructor(url: string, stallTimeoutMs: number, onSilence: (seconds: number, host: string) => void) {
    const host = hostOf(url);
    const after = Math.min(QUIET_MS, stallTimeoutMs / 2);
    this.timer = setInterval(() => {
      const silent = performance.now() - this.last;
      if (silent >= after) onSilence(Math.floor(silent / 1000), host);
    }, 1000);
    this.timer.unref();
  }

  /** Bytes arrived. */
  data(): void {
    this.last = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return describeUrl(url);
  }
}
