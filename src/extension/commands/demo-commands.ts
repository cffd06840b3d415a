import * as vscode from 'vscode';
import { registerGuarded } from './guarded';

/** The demo files shipped in the VSIX (demo/ of the repository). */
const DEMO_FILES = ['tiny-gpt.onnx', 'calib.txt', 'eval.txt', 'config.json', 'LICENSE-data.md'];
const DEMO_FOLDER = 'merino-demo';

/** `merino.openDemo`: copies the demo model and texts into `merino-demo/` of the first workspace folder. */
async function openDemo(extensionUri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('MeRino: open a folder first; the demo is copied into it.');
    return undefined;
  }
  const target = vscode.Uri.joinPath(folder.uri, DEMO_FOLDER);
  await vscode.workspace.fs.createDirectory(target);
  for (const f of DEMO_FILES) await vscode.workspace.fs.copy(vscode.Uri.joinPath(extensionUri, 'demo', f), vscode.Uri.joinPath(target, f), { overwrite: true });
  const model = vscode.Uri.joinPath(target, 'tiny-gpt.onnx');
  await vscode.commands.executeCommand('revealInExplorer', model);
  return model;
}

function demoModel(): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && vscode.Uri.joinPath(folder.uri, DEMO_FOLDER, 'tiny-gpt.onnx');
}

/** The walkthrough's steps: open the demo, prune it with the defaults, show its heatmap. */
export function registerDemoCommands(context: vscode.ExtensionContext): vscode.Disposable[] {
  const calib = () => vscode.Uri.joinPath(demoModel()!, '..', 'calib.txt').fsPath;
  const ensureDemo = async () => demoModel() ?? (await openDemo(context.extensionUri));
  return [
    registerGuarded('merino.openDemo', () => openDemo(context.extensionUri)),
    registerGuarded('merino.pruneDemo', async () => {
      const model = await ensureDemo();
      return model && vscode.commands.executeCommand('merino.prune', model, { method: 'esparse', pattern: '2:4', calibrationFile: calib() });
    }),
    registerGuarded('merino.heatmapDemo', async () => {
      const model = await ensureDemo();
      return model && vscode.commands.executeCommand('merino.showHeatmap', model, { calibrationFile: calib() });
    }),
  ];
}
