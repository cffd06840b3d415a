import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "MeRino" output channel: every job's command line, engine messages, results and errors. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('MeRino', { log: true });
  return channel;
}

/** Shows an error notification with a "Show log" action that opens the output channel. */
export async function showError(message: string): Promise<void> {
  log().error(message);
  const choice = await vscode.window.showErrorMessage(`MeRino: ${message}`, 'Show log');
  if (choice === 'Show log') log().show(true);
}
