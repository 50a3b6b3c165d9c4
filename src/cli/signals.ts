// Ctrl+C (SIGINT) and SIGTERM for the `codex-vault` process.
//
// A JavaScript signal handler runs only when the thread is free: a synchronous step (a query in
// WASM SQLite) holds the thread until it is done, and the handler waits for it. So a command
// with nothing to tidy up (`search`: it only reads) declares `signals: 'default'` and installs no
// handler: the signal's default action ends the process at once, whatever it is doing (a shell
// reports 130 / 143). That is safe: a reader killed mid-query leaves only SQLite's lock
// directory, which the next process that meets it recovers a second later, a writer already
// running included (as after a kill -9; vault/lock/staleSqliteLock.ts), and a write in a
// transaction is rolled back by the next open. Other commands (index, embed-index, download-model, ask, generate)
// are asked to stop through their AbortSignal, at their next safe point, and the process ends
// with 130 (SIGINT) or 143 (SIGTERM); a second signal, or a command still running GRACE_MS
// later, ends it at once.
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

/** How long a command may take to wind down after the first signal. */
const GRACE_MS = 3000;

/** The exit status of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

export class ProcessSignals {
  private readonly controller = new AbortController();
  private received: StopSignal | undefined;

  private constructor() {}

  /** Handlers that abort `signal` on the first SIGINT / SIGTERM and exit on the second. */
  static install(): ProcessSignals {
    const s = new ProcessSignals();
    for (const name of SIGNALS) process.on(name, (n: StopSignal) => s.onSignal(n));
    return s;
  }

  /** No handlers: the signals' default action ends the process at once; `signal` never aborts. */
  static leaveDefault(): ProcessSignals {
    return new ProcessSignals();
  }

  /** Aborted by the first SIGINT or SIGTERM. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 130 or 143 once a signal came, else undefined. */
  get exitCode(): number | undefined {
    return this.received ? signalExitCode(this.received) : undefined;
  }

  private onSignal(signal: StopSignal): void {
    const code = signalExitCode(signal);
    if (this.received) process.exit(code);
    this.received = signal;
    process.exitCode = code;
    this.controller.abort(new Error('Interrupted.'));
    setTimeout(() => process.exit(code), GRACE_MS).unref();
  }
}
