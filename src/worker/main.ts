// The job worker: forked by the extension host (child_process.fork of dist/worker.js), runs one job and exits.
// onnxruntime's session.run blocks its thread for seconds, so it must never run in the extension host.
import type { HostToWorker, JobSpec, WorkerToHost } from '../protocol/job-messages';
import { runCliJob } from './cli-job';
import { runInspectJob } from './inspect-job';
import { runMaskJob } from './mask-job';

/** The CLI's exit code for a cancelled command (src/cli/main.ts). */
const CANCELLED_EXIT = 130;
const controller = new AbortController();

function send(message: WorkerToHost): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function run(job: JobSpec): Promise<void> {
  try {
    const forward = (m: WorkerToHost) => void send(m);
    if (job.kind === 'masks' || job.kind === 'inspect') {
      const result = job.kind === 'masks' ? await runMaskJob(job, controller.signal, forward) : await runInspectJob(job, controller.signal, forward);
      await send({ type: 'result', result });
      return exit();
    }
    const { exitCode, stdout, errorLine } = await runCliJob(job, controller.signal, forward);
    if (controller.signal.aborted || exitCode === CANCELLED_EXIT) await send({ type: 'error', message: 'cancelled', cancelled: true });
    else if (exitCode !== 0) await send({ type: 'error', message: errorLine.replace(/^merino:? /, '') || `merino exited with code ${exitCode}` });
    else await send({ type: 'result', result: { exitCode, stdout } });
  } catch (e) {
    await send({ type: 'error', message: (e as Error).message ?? String(e), cancelled: controller.signal.aborted });
  }
  exit();
}

function exit(): void {
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (message: HostToWorker) => {
  if (message.type === 'start') void run(message.job);
  else if (message.type === 'cancel') controller.abort();
});
process.on('disconnect', () => process.exit(0));
