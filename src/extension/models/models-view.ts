import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { InspectResult } from '../../protocol/job-messages';
import { runJob } from '../job-runner';
import { log } from '../log';
import { modelStatus } from './model-status';

export const MODELS_VIEW_ID = 'merino.models';

interface Cached {
  mtimeMs: number;
  status: string;
}

/**
 * The "Models" view in the Explorer: the workspace's `.onnx` files with their parameter count and sparsity status,
 * read in the worker (one quiet inspect job per changed file, cached by mtime), refreshed on file changes.
 */
export class ModelsProvider implements vscode.TreeDataProvider<vscode.Uri> {
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Set<string>();

  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: vscode.Uri): Promise<vscode.Uri[]> {
    if (element) return [];
    const files = await vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 500);
    return files.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  getTreeItem(uri: vscode.Uri): vscode.TreeItem {
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
    item.contextValue = 'merino.model';
    item.command = { command: 'merino.inspectModel', title: 'Inspect', arguments: [uri] };
    item.tooltip = vscode.workspace.asRelativePath(uri);
    const cached = this.cache.get(uri.fsPath);
    const mtime = mtimeOf(uri);
    if (cached && cached.mtimeMs === mtime) item.description = cached.status;
    else {
      item.description = 'reading…';
      void this.read(uri, mtime);
    }
    return item;
  }

  private async read(uri: vscode.Uri, mtimeMs: number): Promise<void> {
    if (this.pending.has(uri.fsPath)) return;
    this.pending.add(uri.fsPath);
    try {
      const result: InspectResult = await runJob(`Reading ${vscode.workspace.asRelativePath(uri)}`, { kind: 'inspect', model: uri.fsPath }, { quiet: true });
      this.cache.set(uri.fsPath, { mtimeMs, status: modelStatus(result) });
    } catch (e) {
      this.cache.set(uri.fsPath, { mtimeMs, status: `unreadable: ${(e as Error).message.slice(0, 80)}` });
      log().warn(`Models view: ${uri.fsPath}: ${(e as Error).message}`);
    } finally {
      this.pending.delete(uri.fsPath);
      this.changed.fire(uri);
    }
  }
}

function mtimeOf(uri: vscode.Uri): number {
  try {
    return statSync(uri.fsPath).mtimeMs;
  } catch {
    return 0;
  }
}

export function registerModelsView(): vscode.Disposable[] {
  const provider = new ModelsProvider();
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.onnx');
  return [
    vscode.window.registerTreeDataProvider(MODELS_VIEW_ID, provider),
    watcher,
    watcher.onDidCreate(() => provider.refresh()),
    watcher.onDidDelete(() => provider.refresh()),
    watcher.onDidChange(() => provider.refresh()),
    vscode.commands.registerCommand('merino.refreshModels', () => provider.refresh()),
  ];
}
