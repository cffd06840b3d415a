import * as vscode from 'vscode';
import { registerDemoCommands } from './commands/demo-commands';
import { registerDesignCommands } from './commands/design-commands';
import { registerPanelCommands } from './commands/panel-commands';
import { registerModelCommands } from './commands/model-commands';
import { registerInspector } from './inspector/inspector-editor';
import { cancelAllJobs, initJobRunner } from './job-runner';
import { registerLanguageClient } from './language-client';
import { log } from './log';
import { compareRowsShown } from './compare/compare-panel';
import { registerModelsView } from './models/models-view';
import { registerTaskProvider } from './tasks/task-provider';
import { renderTimings } from './webview/render-timings';

/** Context keys that show the palette commands only in workspaces that have models / design files. */
async function setWorkspaceContext(): Promise<void> {
  const [models, designs] = await Promise.all([
    vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 1),
    vscode.workspace.findFiles('**/*.merino.json', '**/node_modules/**', 1),
  ]);
  await vscode.commands.executeCommand('setContext', 'merino.hasModels', models.length > 0);
  await vscode.commands.executeCommand('setContext', 'merino.hasDesigns', designs.length > 0);
}

/** When this bundle was loaded, to log how long activation took (bench/extension.bench.ts reads the log line). */
const loadedAt = performance.now();

/** What activate() returns to other extensions and to the integration tests. */
export interface MerinoApi {
  /** Milliseconds the last panel of a view type (`merino.heatmap`, `merino.masks`) took from its data to its paint. */
  lastRenderMs(viewType: string): number | undefined;
  /** Method rows the last comparison panel drew. */
  lastCompareRows(): number | undefined;
}

export function activate(context: vscode.ExtensionContext): MerinoApi {
  initJobRunner(context);
  context.subscriptions.push(
    log(),
    vscode.commands.registerCommand('merino.showLog', () => log().show()),
    vscode.commands.registerCommand('merino.cancelJobs', cancelAllJobs),
    ...registerModelCommands(context),
    ...registerDesignCommands(context.extensionUri),
    ...registerPanelCommands(context),
    ...registerDemoCommands(context),
    registerInspector(context.extensionUri),
    registerTaskProvider(context),
    ...registerModelsView(),
  );
  registerLanguageClient(context);
  void setWorkspaceContext();
  log().info(`activated at ${Date.now()} (epoch ms; bundle load → activate returned ${(performance.now() - loadedAt).toFixed(1)} ms)`);
  return { lastRenderMs: (viewType) => renderTimings.get(viewType), lastCompareRows: () => compareRowsShown.count };
}

export function deactivate(): void {}
