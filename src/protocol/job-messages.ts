/**
 * Messages between the extension host and the job worker (a `child_process.fork` of dist/worker.js).
 * One worker runs one job: the host sends `start`, the worker streams `progress` and `log`, then ends
 * with exactly one `result` or `error` and exits. `cancel` asks the worker to abort its job; the host
 * kills the process if it has not exited within a grace period (onnxruntime's `run` cannot be interrupted).
 */

/** A job the worker can run. `cli` runs one `merino` CLI command in-process (core bundled, no shell). */
export interface CliJob {
  kind: 'cli';
  /** Arguments after `merino`, e.g. `['search', 'tiny.merino.json', '--json']`. */
  args: string[];
  /** Working directory for relative paths. */
  cwd?: string;
}

export type JobSpec = CliJob;

export interface StartMessage {
  type: 'start';
  job: JobSpec;
}

export interface CancelMessage {
  type: 'cancel';
}

export type HostToWorker = StartMessage | CancelMessage;

/** `done` of `total` units of `stage`, as core's `Progress`. */
export interface ProgressMessage {
  type: 'progress';
  stage: string;
  done: number;
  total: number;
  detail?: string;
}

/** A line for the output channel (warnings, the CLI's human-readable text). */
export interface LogMessage {
  type: 'log';
  text: string;
}

export interface CliResult {
  /** The CLI's exit code (0 = success). */
  exitCode: number;
  /** Everything the command wrote to stdout (JSON when `--json` was given). */
  stdout: string;
}

export interface ResultMessage {
  type: 'result';
  result: CliResult;
}

export interface ErrorMessage {
  type: 'error';
  /** One line the user can act on (the engine's UserError message when there is one). */
  message: string;
  cancelled?: boolean;
}

export type WorkerToHost = ProgressMessage | LogMessage | ResultMessage | ErrorMessage;
