// The shape of one CLI command. Commands write results to `io.out` (stdout) and everything
// else (progress, warnings) to `io.err`, so stdout can be piped into other programs.
export interface CliIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** True when stderr is a terminal: progress bars may redraw in place. */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly and exit non-zero (see cli/signals.ts). */
  signal: AbortSignal;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['search'] or ['models', 'list']. */
  name: readonly string[];
  summary: string;
  /** Full --help text: usage line, options, examples. */
  help: string;
  /**
   * 'default': SIGINT and SIGTERM keep their default action and end the process at once, even
   * inside synchronous work (a query in WASM SQLite), where a JavaScript handler would wait for
   * it. For commands with nothing to tidy up: they only read, or write only in transactions.
   * Otherwise (the default) `io.signal` is aborted and the command stops at its next safe point.
   */
  signals?: 'default';
  /** Returns the process exit code (0 on success). Throw UsageError for bad arguments. */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
