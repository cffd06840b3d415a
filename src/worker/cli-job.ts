import type { CliIO } from '../cli/command';
import { main } from '../cli/main';
import type { CliJob, CliResult, WorkerToHost } from '../protocol/job-messages';
import { CliStderrParser } from './progress-parser';

const PROGRESS_INTERVAL_MS = 100;

// The CLI reports failures as one line "merino <command>: <message>" (src/cli/main.ts).
const ERROR_LINE = /^merino(?: [\w-]+)?: /;

/** The CLI's exit code and stdout, and its error line (else the last line it wrote to stderr). */
export interface CliOutcome extends CliResult {
  errorLine: string;
}

/**
 * Runs one `merino` CLI command in this process with captured output: stdout becomes the result,
 * stderr becomes progress (throttled to one message per 100 ms, always the last of a stage) and log lines.
 */
export async function runCliJob(job: CliJob, signal: AbortSignal, send: (m: WorkerToHost) => void): Promise<CliOutcome> {
  if (job.cwd) process.chdir(job.cwd);
  let stdout = '';
  let errorLine = '';
  let lastLine = '';
  let lastSent = 0;
  let lastStage = '';
  const parser = new CliStderrParser(
    (p) => {
      const now = Date.now();
      if (p.stage === lastStage && p.done < p.total && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      lastStage = p.stage;
      send({ type: 'progress', ...p });
    },
    (text) => {
      lastLine = text;
      if (ERROR_LINE.test(text)) errorLine = text;
      send({ type: 'log', text });
    },
  );
  const io: CliIO = {
    out: (t) => {
      stdout += t;
    },
    err: (t) => parser.push(t),
    isTTY: true,
    signal,
  };
  const exitCode = await main(job.args, io);
  parser.flush();
  return { exitCode, stdout, errorLine: errorLine || lastLine };
}
