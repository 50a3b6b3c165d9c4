// What the model commands (models list, download-model, verify) share: where models and their
// hash records live, and how progress is shown (redrawn in place on a terminal, a line now and
// then otherwise, always on stderr so stdout stays for results).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../command';
import { formatBytes } from '../../engine/download/diskSpace';
import type { DownloadProgress } from '../../engine/download/progress';
import { SharedModelRecords } from '../../app/models/sharedModelRecords';

/** $CODEX_VAULT_MODELS, else ~/.codex-vault/models. */
export function defaultModelsDir(): string {
  return resolve(process.env.CODEX_VAULT_MODELS || join(homedir(), '.codex-vault', 'models'));
}

export const RECORDS_FILE = 'codex-vault-models.sqlite';

export interface Records {
  store: SharedModelRecords;
  file: string;
  close(): void;
}

/**
 * The hash records (the vault schema's `models` table). By default a small database in the
 * models folder itself, so every tool working on that folder shares one cache; --db may name a
 * vault file instead. Each record is read or written in its own short open of the file (see
 * SharedModelRecords), and the file is created by the first record written.
 */
export function openRecords(dbFile: string | undefined, modelsDir: string): Records {
  const file = recordsFile(dbFile, modelsDir);
  return { store: new SharedModelRecords(file, { create: true }), file, close: () => undefined };
}

export function recordsFile(dbFile: string | undefined, modelsDir: string): string {
  return resolve(dbFile ?? join(modelsDir, RECORDS_FILE));
}

/** For read-only commands: the records if they exist, without creating a folder or a database. */
export function openRecordsIfPresent(dbFile: string | undefined, modelsDir: string): Records | undefined {
  return existsSync(recordsFile(dbFile, modelsDir)) ? openRecords(dbFile, modelsDir) : undefined;
}

function clock(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Shows progress on stderr: one redrawn line on a terminal, a plain line every 10% otherwise. */
export class ProgressPrinter {
  private lastDecile = -1;
  private drawn = false;
  private waitingSaid = false;

  constructor(private readonly io: CliIo, private readonly label: string, private readonly hashingNote = 'checking the partial download') {}

  update(p: DownloadProgress): void {
    const pct = p.total ? Math.min(100, (p.bytes / p.total) * 100) : undefined;
    const part = p.fileCount && p.fileCount > 1 ? ` part ${p.fileIndex}/${p.fileCount}` : '';
    const what = p.phase === 'hashing' ? this.hashingNote : p.waiting ? `waiting: ${p.waiting}` : `${formatBytes(p.bytesPerSecond)}/s  ETA ${clock(p.etaSeconds)}`;
    const amount = `${formatBytes(p.bytes)}${p.total ? ` / ${formatBytes(p.total)}` : ''}`;
    if (this.io.isTTY) {
      const width = 24;
      const filled = pct === undefined ? 0 : Math.round((pct / 100) * width);
      const bar = `[${'='.repeat(filled)}${' '.repeat(width - filled)}]`;
      this.io.err.write(`\r\x1b[2K${this.label}${part} ${bar} ${pct === undefined ? '' : `${pct.toFixed(1)}% `}${amount}  ${what}`);
      this.drawn = true;
      return;
    }
    if (p.waiting) {
      // Said once per silence (a plain log gets no redrawn line): why nothing moves, and what comes next.
      if (!this.waitingSaid) this.io.err.write(`${this.label}${part}: waiting: ${p.waiting}\n`);
      this.waitingSaid = true;
      return;
    }
    this.waitingSaid = false;
    const decile = pct === undefined ? -1 : Math.floor(pct / 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.io.err.write(`${this.label}${part}: ${pct === undefined ? '' : `${Math.floor(pct)}% `}${amount} ${p.phase === 'hashing' ? `(${this.hashingNote})` : ''}\n`);
    }
  }

  /** Ends the redrawn line, so the next message starts on its own line. */
  done(): void {
    if (this.drawn) this.io.err.write('\n');
    this.drawn = false;
  }
}
