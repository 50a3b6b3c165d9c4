// Ctrl+C (SIGINT) and SIGTERM for the `codex-vault` process.
//
// A JavaScript signal handler runs only when the thread is free. Commands that await (index,
// embed-index, download-model, ask, generate) are asked to stop through their AbortSignal and the
// process ends with 130 (SIGINT) or 143 (SIGTERM); a second signal, or a command still running
// GRACE_MS later, ends it at once. A synchronous step, though — a full-text query in WASM SQLite —
// holds the thread until it is done, and a handler would wait for it. During such a step
// (`whileBlocking`) the handlers are taken off, so the signal's default action ends the process
// at once (a shell reports 130 / 143). That is safe for what the CLI does synchronously: a reader
// killed mid-query leaves only SQLite's lock directory, which the next open clears (as after a
// kill -9), and a killed writer's transaction is rolled back by the next open.
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof SIGNALS)[number];

/** How long a command may take to wind down after the first signal. */
const GRACE_MS = 3000;

/** The exit status of a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + constants.signals[signal];
}

let installed: ProcessSignals | undefined;

export class ProcessSignals {
  private readonly controller = new AbortController();
  private received: StopSignal | undefined;
  private readonly handler = (signal: StopSignal): void => this.onSignal(signal);

  /** Installs the handlers for this process (once). */
  static install(): ProcessSignals {
    if (!installed) {
      installed = new ProcessSignals();
      for (const s of SIGNALS) process.on(s, installed.handler);
    }
    return installed;
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

  /** Runs `fn` with the signals' default action (end the process at once); see the top of this file. */
  blocking<T>(fn: () => T): T {
    for (const s of SIGNALS) process.removeListener(s, this.handler);
    try {
      return fn();
    } finally {
      for (const s of SIGNALS) process.on(s, this.handler);
    }
  }
}

/**
 * Runs a synchronous step that may take long so that SIGINT / SIGTERM end the process at once
 * rather than after it. Outside the CLI process (commands run in-process by tests) it just runs `fn`.
 */
export function whileBlocking<T>(fn: () => T): T {
  return installed ? installed.blocking(fn) : fn();
}
