// The `codex-vault` CLI: picks a command by its leading words and runs it over the same
// vault and engine the extension uses. Exit 0 on success; otherwise one line on stderr.
import { safeLine } from './common/untrustedText';
import { UsageError } from './cli/args';
import type { CliCommand, CliIo } from './cli/command';
import { commands } from './cli/commands/index';
import { ProcessSignals } from './cli/signals';
import { SqliteError } from './vault/db/sqlite';
import { CLI_VERSION as VERSION } from './cli/version';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.join(' ').length), 8);
  return [
    'codex-vault — a private knowledge vault for Markdown: index, search, ask, with local GGUF models.',
    '',
    'Usage: codex-vault <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run `codex-vault <command> --help` for a command\'s options. `--` ends options.',
  ].join('\n');
}

function find(argv: readonly string[]): { cmd: CliCommand; rest: readonly string[] } | undefined {
  // Longest match first, so `models list` wins over a hypothetical `models`.
  const sorted = [...commands].sort((a, b) => b.name.length - a.name.length);
  for (const cmd of sorted) {
    if (cmd.name.every((w, i) => argv[i] === w)) return { cmd, rest: argv.slice(cmd.name.length) };
  }
  return undefined;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out.write(overview() + '\n');
    return argv.length === 0 ? 1 : 0;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.out.write(VERSION + '\n');
    return 0;
  }
  const found = find(argv);
  if (!found) {
    io.err.write(`codex-vault: unknown command "${argv.slice(0, 2).join(' ')}". Run codex-vault --help.\n`);
    return 2;
  }
  const dd = found.rest.indexOf('--');
  const optionPart = dd === -1 ? found.rest : found.rest.slice(0, dd);
  if (optionPart.includes('--help') || optionPart.includes('-h')) {
    io.out.write(found.cmd.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await found.cmd.run(found.rest, io);
  } catch (err) {
    let msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    // Damage met in the middle of a query (a page the open-time check did not sample).
    if (err instanceof SqliteError && err.code === 'corrupt' && err.file && !msg.includes('doctor')) msg += ` Codex Vault does not write to it; run codex-vault doctor --db ${err.file}.`;
    // Messages may quote a model file's keys, a server's answer or a native log line: escaped, one line.
    io.err.write(`codex-vault ${found.cmd.name.join(' ')}: ${safeLine(msg, 2000)}\n`);
    if (process.env.CODEX_VAULT_DEBUG && err instanceof Error && err.stack) io.err.write(err.stack + '\n');
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  // Before anything runs, so that no signal falls between two regimes.
  const signals = find(args)?.cmd.signals === 'default' ? ProcessSignals.leaveDefault() : ProcessSignals.install();
  // A closed pipe (e.g. `| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  main(args, { out: process.stdout, err: process.stderr, isTTY: Boolean(process.stderr.isTTY), signal: signals.signal })
    .then((code) => {
      process.exitCode = signals.exitCode ?? code;
    })
    .catch((err: unknown) => {
      process.stderr.write(`codex-vault: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = signals.exitCode ?? 1;
    });
}
