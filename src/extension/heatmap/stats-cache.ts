import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runJob } from '../job-runner';
import { calibrationArgs, type MerinoSettings, runtimeArgs } from '../settings';

/**
 * The channel statistics of a model (docs/stats-format.md), computed by `merino stats` in the worker and kept in
 * the extension's storage, keyed by the model's path, size and mtime and the calibration settings.
 */
export async function ensureStats(context: vscode.ExtensionContext, model: vscode.Uri, calib: string, settings: MerinoSettings): Promise<string> {
  const st = statSync(model.fsPath);
  const calibArgs = calibrationArgs(settings);
  const key = createHash('sha256')
    .update(JSON.stringify([model.fsPath, st.size, st.mtimeMs, calib, statSync(calib).mtimeMs, calibArgs]))
    .digest('hex')
    .slice(0, 16);
  const folder = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'stats');
  await vscode.workspace.fs.createDirectory(folder);
  const out = path.join(folder.fsPath, `${path.basename(model.fsPath, '.onnx')}-${key}.json`);
  try {
    statSync(out);
    return out;
  } catch {
    // not cached yet
  }
  await runJob(`Channel statistics of ${path.basename(model.fsPath)}`, {
    kind: 'cli',
    args: ['stats', model.fsPath, '--calib', calib, ...calibArgs, ...runtimeArgs(settings), '--out', out],
    cwd: path.dirname(model.fsPath),
  });
  return out;
}
