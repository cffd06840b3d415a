import * as vscode from 'vscode';

export type PruneMethod = 'esparse' | 'wanda' | 'magnitude';

/** The `merino.*` settings (package.json `contributes.configuration`), read for one resource. */
export interface MerinoSettings {
  method: PruneMethod;
  pattern: string;
  calibrationFile: string;
  samples: number;
  seqlen: number;
  threads: number;
  executionProviders: string[];
  outputFolder: string;
}

export function readSettings(scope?: vscode.Uri): MerinoSettings {
  const c = vscode.workspace.getConfiguration('merino', scope);
  return {
    method: c.get<PruneMethod>('method', 'esparse'),
    pattern: c.get('pattern', '2:4').replace(/\s+/g, ''),
    calibrationFile: c.get('calibrationFile', ''),
    samples: c.get('samples', 128),
    seqlen: c.get('seqlen', 0),
    threads: c.get('threads', 0),
    executionProviders: c.get('executionProviders', ['cpu']),
    outputFolder: c.get('outputFolder', ''),
  };
}

/** Calibration options shared by every command that runs the model (0 = the engine's default). */
export function calibrationArgs(s: MerinoSettings): string[] {
  const args = ['--samples', String(s.samples)];
  if (s.seqlen > 0) args.push('--seqlen', String(s.seqlen));
  return args;
}

/** onnxruntime options of the commands that run the model (stats, prune, compare). */
export function runtimeArgs(s: MerinoSettings): string[] {
  const args = s.threads > 0 ? ['--threads', String(s.threads)] : [];
  if (s.executionProviders.length > 0) args.push('--execution-providers', s.executionProviders.join(','));
  return args;
}

/** Resolves a setting's path against the workspace folder of `scope` (absolute paths are kept). */
export function resolveInWorkspace(file: string, scope: vscode.Uri): vscode.Uri {
  if (/^([a-zA-Z]:)?[\\/]/.test(file)) return vscode.Uri.file(file);
  const folder = vscode.workspace.getWorkspaceFolder(scope)?.uri ?? vscode.Uri.joinPath(scope, '..');
  return vscode.Uri.joinPath(folder, file);
}
