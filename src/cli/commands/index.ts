// Every CLI command, in the order `codex-vault --help` lists them.
// Each command lives in its own file beside this one; add one line here per command.
import type { CliCommand } from '../command';
import { indexCommand } from './indexCommand';
import { searchCommand } from './searchCommand';
import { relatedCommand } from './relatedCommand';
import { embedIndexCommand } from './embedIndexCommand';
import { askCommand } from './askCommand';
import { modelsListCommand } from './modelsListCommand';
import { downloadModelCommand } from './downloadModelCommand';
import { verifyCommand } from './verifyCommand';
import { generateCommand } from './generateCommand';
import { embedCommand } from './embedCommand';
import { modelsInspectCommand } from './modelsInspectCommand';
import { doctorCommand } from './doctorCommand';
import { mcpCommand } from './mcpCommand';

export const commands: readonly CliCommand[] = [
  indexCommand,
  searchCommand,
  relatedCommand,
  embedIndexCommand,
  askCommand,
  doctorCommand,
  mcpCommand,
  modelsListCommand,
  downloadModelCommand,
  verifyCommand,
  generateCommand,
  embedCommand,
  modelsInspectCommand,
];
