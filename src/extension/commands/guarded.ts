import * as vscode from 'vscode';
import { JobCancelledError } from '../job-runner';
import { log, showError } from '../log';

/**
 * Registers a command whose failures become notifications (with "Show log") instead of silent rejections.
 * A cancelled job only logs. The handler's result is returned to the caller (tests use it).
 */
export function registerGuarded(id: string, handler: (...args: unknown[]) => Promise<unknown>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (e instanceof JobCancelledError) {
        log().info(`${id}: cancelled`);
        return undefined;
      }
      void showError((e as Error).message ?? String(e));
      return undefined;
    }
  });
}
