import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobResult, JobSpec, WorkerToHost } from '../protocol/job-messages';
import { log } from './log';

/** How long a cancelled worker may take to clean up (its temporary files) before it is killed. */
const CANCEL_GRACE_MS = 3000;

export class JobCancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'JobCancelledError';
  }
}

/** A failed job: `message` is the engine's one-line explanation. */
export class JobError extends Error {
  override name = 'JobError';
}

let extensionRoot = '';
const running = new Set<ChildProcess>();
/** Cancel functions of the jobs in flight (Cancel in their notification, or `merino.cancelJobs`). */
const cancellers = new Set<() => void>();

/** Cancels every running job, as its notification's Cancel button does. */
export function cancelAllJobs(): number {
  const n = cancellers.size;
  cancellers.forEach((cancel) => cancel());
  return n;
}

function setRunningContext(): void {
  void vscode.commands.executeCommand('setContext', 'merino.jobRunning', cancellers.size > 0);
}

export function initJobRunner(context: vscode.ExtensionContext): void {
  extensionRoot = context.extensionPath;
  context.subscriptions.push({ dispose: () => running.forEach((child) => child.kill('SIGKILL')) });
}

function formatProgress(stage: string, done: number, total: number, detail?: string): string {
  return `${stage} ${done}/${total}${detail ? ` ${detail}` : ''}`;
}

/**
 * Runs a job in a forked worker (dist/worker.js) under a cancellable `window.withProgress` notification.
 * Resolves with the result; rejects with JobCancelledError on Cancel (the worker is asked to abort, then
 * killed after a grace period) or JobError with the engine's message.
 */
export function runJob<J extends JobSpec>(title: string, job: J, options: { quiet?: boolean } = {}): Promise<JobResult<J>> {
  log().info(`${title}: ${job.kind === 'cli' ? `merino ${job.args.join(' ')}${job.cwd ? ` (in ${job.cwd})` : ''}` : JSON.stringify(job)}`);
  return Promise.resolve(
    vscode.window.withProgress(
      // Quiet jobs (the Models view's background reads) show in the status bar only.
      { location: options.quiet ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification, title: `MeRino: ${title}`, cancellable: !options.quiet },
      (progress, token) =>
        runInWorker(job, token, (stage, done, total, detail) => {
          progress.report({ message: formatProgress(stage, done, total, detail) });
        }) as Promise<JobResult<J>>,
    ),
  );
}

type ProgressSink = (stage: string, done: number, total: number, detail?: string) => void;

function runInWorker(job: JobSpec, token: vscode.CancellationToken, onProgress: ProgressSink): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(extensionRoot, 'dist', 'worker.js'), [], {
      cwd: job.kind === 'cli' ? job.cwd : undefined,
      serialization: 'advanced', // typed arrays (masks) cross as bytes, not JSON
      execArgv: [],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    let settled = false;
    let cancelled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    child.stdout?.on('data', (d: Buffer) => log().info(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => log().warn(d.toString().trimEnd()));
    child.on('message', (m: WorkerToHost) => {
      if (m.type === 'progress') onProgress(m.stage, m.done, m.total, m.detail);
      else if (m.type === 'log') log().info(m.text);
      else if (m.type === 'result') finish(() => resolve(m.result));
      else if (m.type === 'error') finish(() => reject(m.cancelled || cancelled ? new JobCancelledError() : new JobError(m.message)));
    });
    child.on('exit', (code, sig) => {
      running.delete(child);
      cancelSub.dispose();
      cancellers.delete(cancel);
      setRunningContext();
      finish(() => reject(cancelled ? new JobCancelledError() : new JobError(`the worker exited unexpectedly (${sig ?? `code ${code}`}); see the MeRino log`)));
    });
    child.on('error', (e) => finish(() => reject(new JobError(`could not start the worker: ${e.message}`))));
    const cancel = () => {
      if (cancelled) return;
      cancelled = true;
      log().info('cancel requested: stopping the worker');
      if (child.connected) child.send({ type: 'cancel' });
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), CANCEL_GRACE_MS).unref();
    };
    cancellers.add(cancel);
    setRunningContext();
    const cancelSub = token.onCancellationRequested(cancel);
    child.send({ type: 'start', job });
  });
}
