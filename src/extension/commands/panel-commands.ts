import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCompareSerializer } from '../compare/compare-panel';
import { registerHeatmapSerializer, showHeatmapPanel } from '../heatmap/heatmap-panel';
import { ensureStats } from '../heatmap/stats-cache';
import { registerMaskSerializer, showMaskPanel } from '../masks/mask-panel';
import type { MaskView } from '../../protocol/mask-messages';
import { registerReportSerializer, showReportPanel } from '../report/report-panel';
import { asUri } from '../targets';
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

/** `merino.showMasks`: the N:M mask view of one layer (read in the worker; the panel switches layers). */
async function showMasks(extensionUri: vscode.Uri, arg?: unknown, given: MaskView = {}): Promise<vscode.WebviewPanel | undefined> {
  const model = await resolveTarget(arg, 'model');
  return model && showMaskPanel(extensionUri, model.fsPath, given);
}

export function registerPanelCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  return [
    registerGuarded('merino.showHeatmap', makeShowHeatmap(context) as (...a: unknown[]) => Promise<unknown>),
    registerGuarded('merino.showMasks', (arg?: unknown, given?: unknown) => showMasks(context.extensionUri, arg, given as MaskView)),
    registerGuarded('merino.openReport', async (arg?: unknown) => {
      const uri = asUri(arg) ?? vscode.window.activeTextEditor?.document.uri;
      return uri && showReportPanel(context.extensionUri, uri.fsPath);
    }),
    registerHeatmapSerializer(context.extensionUri),
    registerReportSerializer(context.extensionUri),
    registerCompareSerializer(context.extensionUri),
    registerMaskSerializer(context.extensionUri),
  ];
}
