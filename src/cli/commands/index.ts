// Every CLI command, in the order `codex-vault --help` lists them.
// Each command lives in its own file beside this one; add one line here per command.
import type { CliCommand } from '../command';
import { indexCommand } from './indexCommand';
import { searchCommand } from './searchCommand';

export const commands: readonly CliCommand[] = [
  indexCommand,
  searchCommand,
];
