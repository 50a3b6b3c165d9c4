// The engine's state for the status bar, read from the vault worker's 'models' service (which owns
// the engine): loaded models and their memory. Polls only while the vault runs (it never starts it)
// and only as often as a person glances at a status bar.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from '../../services/disposable';
import type { VaultService } from '../../services/vaultService';
import type { EngineStatus, EngineStatusSource } from '../common/engineStatus';

const POLL_MS = 5000;

export class EngineStatusPoller extends Disposable implements EngineStatusSource {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private status: EngineStatus = { state: 'stopped' };
  private key = '';
  private busy = false;

  constructor(private readonly vault: VaultService) {
    super();
    const timer = setInterval(() => void this.poll(), POLL_MS);
    this._register({ dispose: () => clearInterval(timer) });
  }

  current(): EngineStatus {
    return this.status;
  }

  private async poll(): Promise<void> {
    if (this.busy || !this.vault.isStarted) return;
    this.busy = true;
    try {
      const snap = await this.vault.call('models', 'memory');
      const next: EngineStatus = snap
        ? {
            state: snap.models.some((m) => m.busy) ? 'busy' : 'idle',
            loadedModel: snap.models.length > 0 ? snap.models.map((m) => basename(m.file)).join(', ') : undefined,
            ramBytes: snap.models.reduce((n, m) => n + m.modelRamBytes + m.contextRamBytes, 0) || snap.process.rss,
            vramBytes: snap.models.reduce((n, m) => n + m.vramBytes, 0) || undefined,
          }
        : { state: 'stopped' };
      const key = JSON.stringify(next);
      if (key !== this.key) {
        this.key = key;
        this.status = next;
        this.changed.fire();
      }
    } catch {
      // The worker may be restarting; the next poll tries again.
    } finally {
      this.busy = false;
    }
  }
}
