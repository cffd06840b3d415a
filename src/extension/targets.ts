import * as vscode from 'vscode';

/** The kinds of file a command works on, with the glob that finds them in the workspace. */
export const FILE_KINDS = {
  model: { glob: '**/*.onnx', test: (p: string) => p.endsWith('.onnx'), noun: 'ONNX model' },
  design: { glob: '**/*.merino.json', test: (p: string) => p.endsWith('.merino.json'), noun: 'design budget (*.merino.json)' },
  results: {
    glob: '**/*.merino.results.json',
    test: (p: string) => p.endsWith('.merino.results.json'),
    noun: 'search results file (*.merino.results.json)',
  },
} as const;

export type FileKind = keyof typeof FILE_KINDS;

/** Turns a command argument (Uri from a menu, string from a code lens or a test) into a Uri. */
export function asUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg) return /^[a-z][\w+.-]+:/i.test(arg) && !/^[a-zA-Z]:[\\/]/.test(arg) ? vscode.Uri.parse(arg) : vscode.Uri.file(arg);
  if (arg && typeof arg === 'object' && 'uri' in arg) return asUri((arg as { uri: unknown }).uri);
  return undefined;
}

/**
 * The file a command should act on: its argument, else the active editor's file, else one the user picks
 * from the workspace. Undefined when the user dismisses the pick.
 */
export async function resolveTarget(arg: unknown, kind: FileKind): Promise<vscode.Uri | undefined> {
  const spec = FILE_KINDS[kind];
  const given = asUri(arg);
  if (given) return given;
  const active = vscode.window.activeTextEditor?.document.uri ?? activeCustomEditorUri();
  if (active && spec.test(active.path)) return active;
  const files = await vscode.workspace.findFiles(spec.glob, '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showWarningMessage(`MeRino: no ${spec.noun} in this workspace.`);
    return undefined;
  }
  if (files.length === 1) return files[0];
  const pick = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { placeHolder: `Choose a ${spec.noun}` },
  );
  return pick?.uri;
}

function activeCustomEditorUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom ? input.uri : undefined;
}

/** `dir/name.merino.json` → `dir/name.merino.results.json`. */
export function resultsUriFor(design: vscode.Uri): vscode.Uri {
  return design.with({ path: design.path.replace(/\.merino\.json$/, '.merino.results.json') });
}
