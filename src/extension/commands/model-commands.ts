import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CompareResult } from '../../core/pipeline/compare-methods';
import { formatCompareTable } from '../../cli/compare-table';
import { showComparePanel } from '../compare/compare-panel';
import { INSPECTOR_VIEW_TYPE } from '../inspector/inspector-editor';
import { runJob } from '../job-runner';
import { log } from '../log';
import { calibrationArgs, readSettings, resolveInWorkspace, runtimeArgs } from '../settings';
import { resolveTarget } from '../targets';
import { registerGuarded } from './guarded';
import { type PruneChoices, pickCalibration, pickMethod, pickPattern } from './prune-options';

/** What `merino prune --json` reports about the files it wrote. */
export interface PruneOutcome {
  model: vscode.Uri;
  report?: vscode.Uri;
  json: unknown;
}

/** The CLI's --json output: the last JSON object on stdout. */
export function parseJsonOutput(stdout: string): unknown {
  const start = stdout.indexOf('{');
  return start >= 0 ? JSON.parse(stdout.slice(start)) : undefined;
}

/** Finds an output path in the prune JSON whatever its key (`output`, `out`, `model`…), else the naming convention. */
function prunedPaths(model: vscode.Uri, json: unknown, method: string, pattern: string, outDir?: string): { model: vscode.Uri; report: vscode.Uri } {
  const j = (json ?? {}) as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => j[k]).find((v): v is string => typeof v === 'string');
  const [n, m] = pattern.split(':');
  const base = path.join(outDir ?? path.dirname(model.fsPath), `${path.basename(model.fsPath, '.onnx')}.${n}of${m}.${method}`);
  const out = pick('output', 'out', 'outputModel', 'model') ?? `${base}.onnx`;
  const report = pick('report', 'reportPath') ?? out.replace(/\.onnx$/, '.report.json');
  return { model: vscode.Uri.file(path.resolve(path.dirname(model.fsPath), out)), report: vscode.Uri.file(path.resolve(path.dirname(model.fsPath), report)) };
}

function makePrune(context: vscode.ExtensionContext) {
  /** `merino.prune`: method → pattern → calibration → job; the pruned file appears next to the model. */
  return async (arg?: unknown, given: PruneChoices = {}): Promise<PruneOutcome | undefined> => {
    const model = await resolveTarget(arg, 'model');
    if (!model) return undefined;
    const settings = readSettings(model);
    const method = given.method ?? (await pickMethod(settings.method));
    if (!method) return undefined;
    const pattern = given.pattern ?? (await pickPattern(settings.pattern));
    if (!pattern) return undefined;
    const calib = given.calibrationFile ?? (await pickCalibration(context, model, settings, 'MeRino: prune (3/3) calibration'));
    if (!calib) return undefined;
    const outDir = settings.outputFolder ? resolveInWorkspace(settings.outputFolder, model).fsPath : undefined;
    const args = ['prune', model.fsPath, '--method', method, '--pattern', pattern, '--calib', calib, ...calibrationArgs(settings), ...runtimeArgs(settings), '--json'];
    if (given.evalFile) args.push('--eval', given.evalFile);
    if (outDir) {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(outDir));
      const [n, m] = pattern.split(':');
      args.push('--out', path.join(outDir, `${path.basename(model.fsPath, '.onnx')}.${n}of${m}.${method}.onnx`));
    }
    const { stdout } = await runJob(`Pruning ${path.basename(model.fsPath)} (${method} ${pattern})`, { kind: 'cli', args, cwd: path.dirname(model.fsPath) });
    const json = parseJsonOutput(stdout);
    const out = prunedPaths(model, json, method, pattern, outDir);
    log().info(`pruned → ${out.model.fsPath}`);
    void vscode.window.showInformationMessage(`MeRino: pruned → ${vscode.workspace.asRelativePath(out.model)}`, 'Open report', 'Show heatmap', 'Show masks').then((c) => {
      if (c === 'Open report') void vscode.commands.executeCommand('merino.openReport', out.report);
      if (c === 'Show heatmap') void vscode.commands.executeCommand('merino.showHeatmap', out.model);
      if (c === 'Show masks') void vscode.commands.executeCommand('merino.showMasks', out.model);
    });
    return { ...out, json };
  };
}

function makeCompare(context: vscode.ExtensionContext) {
  /** `merino.compare`: every method on one set of calibration statistics → the comparison panel (and the table to the log). */
  return async (arg?: unknown, given: PruneChoices & { maxWindows?: number } = {}): Promise<CompareResult | undefined> => {
    const model = await resolveTarget(arg, 'model');
    if (!model) return undefined;
    const settings = readSettings(model);
    const pattern = given.pattern ?? (await pickPattern(settings.pattern));
    if (!pattern) return undefined;
    const calib = given.calibrationFile ?? (await pickCalibration(context, model, settings, 'MeRino: compare, calibration text'));
    if (!calib) return undefined;
    const evalFile = given.evalFile ?? calib;
    const args = ['compare', model.fsPath, '--pattern', pattern, '--calib', calib, '--eval', evalFile, ...calibrationArgs(settings), ...runtimeArgs(settings), '--json'];
    if (given.maxWindows) args.push('--max-windows', String(given.maxWindows));
    const { stdout } = await runJob(`Comparing methods on ${path.basename(model.fsPath)}`, { kind: 'cli', args, cwd: path.dirname(model.fsPath) });
    const result = JSON.parse(stdout) as CompareResult;
    log().info(formatCompareTable(result).trimEnd());
    showComparePanel(context.extensionUri, result);
    return result;
  };
}

/** `merino.inspectModel`: opens the model in the ONNX inspector (custom editor). */
async function inspectModel(arg?: unknown): Promise<vscode.Uri | undefined> {
  const model = await resolveTarget(arg, 'model');
  if (model) await vscode.commands.executeCommand('vscode.openWith', model, INSPECTOR_VIEW_TYPE);
  return model;
}

export function registerModelCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    registerGuarded('merino.prune', makePrune(context) as (...a: unknown[]) => Promise<unknown>),
    registerGuarded('merino.compare', makeCompare(context) as (...a: unknown[]) => Promise<unknown>),
    registerGuarded('merino.inspectModel', inspectModel),
  ];
}
