import * as path from 'node:path';
import * as vscode from 'vscode';
import { runJob } from '../job-runner';
import { registerResultsSerializer, showResultsPanel } from '../results/results-panel';
import { log } from '../log';
import { resolveTarget, resultsUriFor } from '../targets';
import { registerGuarded } from './guarded';

async function fileExists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** Saves the design file first when it is open and dirty: the engine reads it from disk. */
async function saveIfDirty(uri: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
}

/** `merino.estimate`: params, FLOPs and latency of the design's `arch` (or its search-space extremes). */
async function estimate(arg?: unknown): Promise<unknown> {
  const uri = await resolveTarget(arg, 'design');
  if (!uri) return undefined;
  await saveIfDirty(uri);
  const { stdout } = await runJob('Estimating', { kind: 'cli', args: ['estimate', uri.fsPath], cwd: path.dirname(uri.fsPath) });
  log().info(`estimate of ${vscode.workspace.asRelativePath(uri)}:\n${stdout.trimEnd()}`);
  const first = stdout.trim().split('\n').slice(0, 3).join(' · ');
  void vscode.window.showInformationMessage(`MeRino estimate: ${first}`, 'Show log').then((c) => c && log().show(true));
  return stdout;
}

/** `merino.runSearch`: runs the evolutionary search in the worker; the engine writes NAME.merino.results.json. */
async function runSearch(arg?: unknown): Promise<vscode.Uri | undefined> {
  const uri = await resolveTarget(arg, 'design');
  if (!uri) return undefined;
  await saveIfDirty(uri);
  const { stdout } = await runJob('Searching architectures', { kind: 'cli', args: ['search', uri.fsPath], cwd: path.dirname(uri.fsPath) });
  log().info(stdout.trimEnd());
  const results = resultsUriFor(uri);
  if (!(await fileExists(results))) throw new Error(`the search finished but ${path.basename(results.fsPath)} was not written`);
  void vscode.window
    .showInformationMessage(`MeRino: search done → ${vscode.workspace.asRelativePath(results)}`, 'Open results')
    .then((c) => c && vscode.commands.executeCommand('merino.openResults', uri));
  return results;
}

/** `merino.openResults`: the results panel of a design (or of a results file), offering to run the search when there is none. */
async function openResults(extensionUri: vscode.Uri, arg?: unknown): Promise<vscode.WebviewPanel | vscode.Uri | undefined> {
  const uri = await resolveTarget(arg, 'design');
  if (!uri) return undefined;
  const results = uri.path.endsWith('.merino.results.json') ? uri : resultsUriFor(uri);
  if (await fileExists(results)) return showResultsPanel(extensionUri, results.fsPath);
  const choice = await vscode.window.showInformationMessage(`No results yet for ${path.basename(uri.fsPath)}.`, 'Run search');
  return choice ? runSearch(uri) : undefined;
}

/** `merino.exportArchitecture`: exports one ranked result as a Hugging Face config.json or an ONNX skeleton. */
async function exportArchitecture(arg?: unknown, options?: { rank?: number; format?: 'hf' | 'onnx'; out?: string }): Promise<string | undefined> {
  let uri = await resolveTarget(arg, 'results');
  if (uri?.path.endsWith('.merino.json') && !uri.path.endsWith('.results.json')) uri = resultsUriFor(uri);
  if (!uri) return undefined;
  const rank = options?.rank ?? Number((await vscode.window.showInputBox({ prompt: 'Rank of the architecture to export', value: '1', validateInput: (v) => (/^[1-9]\d*$/.test(v) ? undefined : 'a rank ≥ 1') })) ?? NaN);
  if (!Number.isInteger(rank)) return undefined;
  const format =
    options?.format ??
    (await vscode.window.showQuickPick(
      [
        { label: 'hf', description: 'Hugging Face config.json' },
        { label: 'onnx', description: 'ONNX skeleton with random weights' },
      ],
      { placeHolder: 'Export format' },
    ))?.label;
  if (!format) return undefined;
  const out = options?.out ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Export here', defaultUri: vscode.Uri.joinPath(uri, '..') }))?.[0]?.fsPath;
  if (!out) return undefined;
  await runJob('Exporting architecture', { kind: 'cli', args: ['export', uri.fsPath, '--rank', String(rank), '--format', format, '--out', out], cwd: path.dirname(uri.fsPath) });
  void vscode.window.showInformationMessage(`MeRino: exported rank ${rank} (${format}) to ${out}`);
  return out;
}

export function registerDesignCommands(extensionUri: vscode.Uri): vscode.Disposable[] {
  return [
    registerGuarded('merino.estimate', estimate),
    registerGuarded('merino.runSearch', runSearch),
    registerGuarded('merino.openResults', (arg?: unknown) => openResults(extensionUri, arg)),
    registerResultsSerializer(extensionUri),
    registerGuarded('merino.exportArchitecture', exportArchitecture as (...a: unknown[]) => Promise<unknown>),
  ];
}
