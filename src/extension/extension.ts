import * as vscode from 'vscode';
import { registerDesignCommands } from './commands/design-commands';
import { registerHeatmapCommands } from './commands/heatmap-commands';
import { heatmapTimings } from './heatmap/heatmap-panel';
import { registerModelCommands } from './commands/model-commands';
import { initJobRunner } from './job-runner';
import { registerLanguageClient } from './language-client';
import { log } from './log';

/** Context keys that show the palette commands only in workspaces that have models / design files. */
async function setWorkspaceContext(): Promise<void> {
  const [models, designs] = await Promise.all([
    vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 1),
    vscode.workspace.findFiles('**/*.merino.json', '**/node_modules/**', 1),
  ]);
  await vscode.commands.executeCommand('setContext', 'merino.hasModels', models.length > 0);
  await vscode.commands.executeCommand('setContext', 'merino.hasDesigns', designs.length > 0);
}

/** What activate() returns to other extensions and to the integration tests. */
export interface MerinoApi {
  /** Milliseconds the last heatmap webview took from receiving its data to its first paint. */
  lastHeatmapRenderMs(): number | undefined;
}

export function activate(context: vscode.ExtensionContext): MerinoApi {
  initJobRunner(context);
  context.subscriptions.push(
    log(),
    vscode.commands.registerCommand('merino.showLog', () => log().show()),
    ...registerModelCommands(context),
    ...registerDesignCommands(),
    ...registerHeatmapCommands(context),
  );
  registerLanguageClient(context);
  void setWorkspaceContext();
  return { lastHeatmapRenderMs: () => heatmapTimings.lastRenderMs };
}

export function deactivate(): void {}
