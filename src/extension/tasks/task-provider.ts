import * as path from 'node:path';
import * as vscode from 'vscode';
import { calibrationArgs, readSettings, resolveInWorkspace, runtimeArgs } from '../settings';

export const TASK_TYPE = 'merino';

/** A `merino` task in tasks.json (package.json `taskDefinitions`). */
export interface MerinoTaskDefinition extends vscode.TaskDefinition {
  command: 'prune' | 'compare' | 'stats' | 'search' | 'check' | 'estimate' | 'export' | 'eval' | 'inspect';
  /** The model or design file, relative to the workspace folder. */
  file: string;
  /** Further CLI options, e.g. ["--pattern", "4:8"]. */
  args?: string[];
}

/** Whether the task runs a model with onnxruntime (and so takes --threads and --execution-providers). */
function runsModel(def: MerinoTaskDefinition): boolean {
  return ['prune', 'compare', 'stats', 'eval'].includes(def.command) || (def.command === 'estimate' && (def.args ?? []).includes('--measure'));
}

/** Options the settings give a model command when tasks.json does not say them. */
function settingArgs(def: MerinoTaskDefinition, file: vscode.Uri): string[] {
  const given = new Set((def.args ?? []).filter((a) => a.startsWith('--')));
  const s = readSettings(file);
  const out: string[] = [];
  const add = (flag: string, value: string) => !given.has(flag) && out.push(flag, value);
  /** Adds the flag/value pairs of `args` that tasks.json does not give. */
  const addPairs = (args: string[]) => args.forEach((a, i) => i % 2 === 0 && add(a, args[i + 1]!));
  if (def.command === 'prune') {
    add('--method', s.method);
    add('--pattern', s.pattern);
  }
  if (['prune', 'compare', 'stats'].includes(def.command)) {
    if (s.calibrationFile) add('--calib', resolveInWorkspace(s.calibrationFile, file).fsPath);
    addPairs(calibrationArgs(s));
  }
  if (runsModel(def)) addPairs(runtimeArgs(s));
  return out;
}

/** The task that runs `merino <command> FILE …` (the bundled CLI, in a terminal, through the extension host's node). */
export function makeTask(def: MerinoTaskDefinition, folder: vscode.WorkspaceFolder, cliPath: string): vscode.Task {
  const file = resolveInWorkspace(def.file, folder.uri);
  const args = [cliPath, def.command, file.fsPath, ...settingArgs(def, file), ...(def.args ?? [])];
  const execution = new vscode.ProcessExecution(process.execPath, args, { cwd: folder.uri.fsPath, env: { ELECTRON_RUN_AS_NODE: '1' } });
  const task = new vscode.Task(def, folder, `${def.command} ${def.file}`, 'merino', execution, def.command === 'check' ? ['$merino'] : []);
  if (def.command === 'check') task.group = vscode.TaskGroup.Test;
  if (def.command === 'prune' || def.command === 'search') task.group = vscode.TaskGroup.Build;
  return task;
}

/** Offers check/search tasks for every design file and prune/stats tasks for every model; resolves tasks.json entries. */
export function registerTaskProvider(context: vscode.ExtensionContext): vscode.Disposable {
  const cli = context.asAbsolutePath(path.join('dist', 'cli.js'));
  return vscode.tasks.registerTaskProvider(TASK_TYPE, {
    async provideTasks() {
      const tasks: vscode.Task[] = [];
      const [designs, models] = await Promise.all([
        vscode.workspace.findFiles('**/*.merino.json', '**/node_modules/**', 50),
        vscode.workspace.findFiles('**/*.onnx', '**/node_modules/**', 50),
      ]);
      const add = (uri: vscode.Uri, commands: MerinoTaskDefinition['command'][]) => {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        if (!folder) return;
        const file = path.relative(folder.uri.fsPath, uri.fsPath);
        for (const command of commands) tasks.push(makeTask({ type: TASK_TYPE, command, file }, folder, cli));
      };
      designs.forEach((uri) => add(uri, ['check', 'search']));
      models.forEach((uri) => add(uri, ['prune', 'stats']));
      return tasks;
    },
    resolveTask(task) {
      const def = task.definition as MerinoTaskDefinition;
      const folder = task.scope && typeof task.scope === 'object' ? (task.scope as vscode.WorkspaceFolder) : vscode.workspace.workspaceFolders?.[0];
      return def.command && def.file && folder ? makeTask(def, folder, cli) : undefined;
    },
  });
}
