import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerHeatmapSerializer, showHeatmapPanel } from '../heatmap/heatmap-panel';
import { ensureStats } from '../heatmap/stats-cache';
import { readSettings } from '../settings';
import { resolveTarget } from '../targets';
import { registerGuarded } from './guarded';
import { pickCalibration } from './prune-options';

function makeShowHeatmap(context: vscode.ExtensionContext) {
  /** `merino.showHeatmap`: channel statistics (computed in the worker, cached) → the heatmap panel. */
  return async (arg?: unknown, given: { calibrationFile?: string } = {}): Promise<vscode.WebviewPanel | undefined> => {
    const model = await resolveTarget(arg, 'model');
    if (!model) return undefined;
    const settings = readSettings(model);
    const calib = given.calibrationFile ?? (await pickCalibration(context, model, settings, 'MeRino: heatmap, calibration text'));
    if (!calib) return undefined;
    const statsFile = await ensureStats(context, model, calib, settings);
    return showHeatmapPanel(context.extensionUri, statsFile, path.basename(model.fsPath));
  };
}

export function registerHeatmapCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [registerGuarded('merino.showHeatmap', makeShowHeatmap(context) as (...a: unknown[]) => Promise<unknown>), registerHeatmapSerializer(context.extensionUri)];
}
