import * as vscode from 'vscode';
import { type MerinoSettings, type PruneMethod, resolveInWorkspace } from '../settings';

/** What the prune and compare flows ask for; any field given by the caller (a test, a task) is not asked. */
export interface PruneChoices {
  method?: PruneMethod;
  pattern?: string;
  calibrationFile?: string;
  evalFile?: string;
}

const METHODS: { label: PruneMethod; detail: string }[] = [
  { label: 'esparse', detail: 'E-Sparse: entropy + norm channel metric, with channel shuffles' },
  { label: 'wanda', detail: 'Wanda: |W| × activation norm' },
  { label: 'magnitude', detail: 'Magnitude: |W|' },
];
const LAST_CALIB_KEY = 'merino.lastCalibrationFile';
const NM = /^\s*(\d+)\s*:\s*(\d+)\s*$/;

export function validPattern(text: string): string | undefined {
  const m = NM.exec(text);
  if (!m) return 'write N:M, e.g. 2:4';
  const [n, mm] = [Number(m[1]), Number(m[2])];
  return n >= 1 && n < mm && mm <= 16 ? undefined : 'need 1 ≤ N < M ≤ 16';
}

export async function pickMethod(defaultMethod: PruneMethod): Promise<PruneMethod | undefined> {
  const items = [...METHODS].sort((a, b) => Number(b.label === defaultMethod) - Number(a.label === defaultMethod));
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Pruning method', title: 'MeRino: prune (1/3)' }))?.label;
}

export async function pickPattern(defaultPattern: string): Promise<string | undefined> {
  const presets = [...new Set([defaultPattern, '2:4', '4:8'])];
  const items: vscode.QuickPickItem[] = [...presets.map((label) => ({ label })), { label: 'Custom N:M…' }];
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'N:M pattern (N kept of every M along K)', title: 'MeRino: prune (2/3)' });
  if (!pick) return undefined;
  if (pick.label !== 'Custom N:M…') return pick.label;
  return (await vscode.window.showInputBox({ prompt: 'N:M pattern', value: '2:8', validateInput: validPattern }))?.replace(/\s+/g, '');
}

/** Calibration file: the setting, else a pick of the workspace's .txt/.jsonl/.json files (the last one first, remembered). */
export async function pickCalibration(context: vscode.ExtensionContext, model: vscode.Uri, settings: MerinoSettings, title: string): Promise<string | undefined> {
  if (settings.calibrationFile) return resolveInWorkspace(settings.calibrationFile, model).fsPath;
  const last = context.workspaceState.get<string>(LAST_CALIB_KEY);
  const files = await vscode.workspace.findFiles('**/*.{txt,jsonl,json}', '{**/node_modules/**,**/*.merino*.json,**/*.report.json,**/package*.json,**/tsconfig.json}', 500);
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, description: uri.fsPath === last ? 'last used' : undefined }))
    .sort((a, b) => Number(b.uri.fsPath === last) - Number(a.uri.fsPath === last) || a.label.localeCompare(b.label));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Calibration text (.txt) or token ids (.json/.jsonl)', title });
  if (pick) await context.workspaceState.update(LAST_CALIB_KEY, pick.uri.fsPath);
  return pick?.uri.fsPath;
}
