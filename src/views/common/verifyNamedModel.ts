// A model file named in settings (codexVault.chatModel / embeddingModel) and never added is added
// on first use: naming it is choosing it, and adding it means hashing it for the verification gate.
// The hashing runs in the vault worker, shown in a notification with Cancel; the models service
// reports the change to every view.
import * as vscode from 'vscode';
import { verifiedOnFirstUse, type Role } from '../../app/models/chooseModel';
import type { ModelItem } from '../../app/models/modelsTypes';
import type { ModelsState } from '../../services/modelsState';

/**
 * Verifies the model `setting` names when it is a local file not verified yet. Resolves with the
 * models listed again when it did, undefined when there was nothing to do; rejects when the user
 * cancelled or the file is not a usable GGUF model.
 */
export async function verifyNamedModel(models: Pick<ModelsState, 'call' | 'refresh'>, listed: readonly ModelItem[], role: Role, setting: string): Promise<readonly ModelItem[] | undefined> {
  const m = verifiedOnFirstUse(listed, role, setting);
  if (!m) return undefined;
  await vscode.window.withProgress({
    location: vscode.ProgressLocation.Notification,
    title: `Codex Vault: verifying ${m.name}, the ${role} model named in settings (computing its SHA-256)…`,
    cancellable: true,
  }, async (_p, token) => {
    const sub = token.onCancellationRequested(() => void models.call('cancelVerify', m.path).catch(() => undefined));
    try {
      await models.call('addLocal', m.path, role);
    } finally {
      sub.dispose();
    }
  });
  return (await models.refresh()).models;
}
