// Worker-thread entry (bundled as dist/histogram-worker.js): counts the histograms of the taps the
// main thread hands over (histogram-share.ts) from the spill file, or the whole statistics of a
// stage of the staged pass from its kernels' memory (shared with the main thread, which transfers
// the activations' buffers here to be copied in), and sends them back; one request after another
// until the main thread ends it.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { countTaps, READY, stageStats, type WorkerRequest, type WorkerWindow } from './histogram-share';
import { StatsKernels } from './stats-kernels';

// The staged pass counts one stage while onnxruntime runs the next: at the lowest priority this
// thread takes only what onnxruntime's threads leave idle (on Linux, where a thread id can be
// given its own nice value; elsewhere it keeps the normal priority).
try {
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), 19);
} catch {
  // not Linux: normal priority
}

const memory = (workerData as { memory?: WebAssembly.Memory } | null)?.memory;
const kernels = new StatsKernels(memory);
type Message = WorkerRequest | WorkerWindow;
/** Requests taken off the port early (by `placeWaiting`), to handle next, in order. */
const deferred: Message[] = [];

parentPort!.on('message', (message: Message) => {
  handle(message);
  while (deferred.length > 0) handle(deferred.shift()!);
});

function handle(message: Message): void {
  if ('window' in message) return place(message);
  try {
    if ('claims' in message) {
      // every window placed before this job is in memory: the main thread may help from now on
      Atomics.store(message.claims, READY, 1);
      Atomics.notify(message.claims, READY);
      const result = stageStats(message, kernels, placeWaiting);
      parentPort!.postMessage({ result }, result.flatMap((s) => [s.min, s.max, s.sumSquares, s.histogram!].map((a) => a.buffer as ArrayBuffer)));
    } else {
      const result = countTaps(message.source, message.taps, kernels);
      parentPort!.postMessage({ result }, result.map((h) => h.buffer as ArrayBuffer));
    }
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
}

function place({ window, at }: WorkerWindow): void {
  new Float32Array(memory!.buffer).set(window, at);
}

/**
 * Between the taps of a job: places the windows that arrived meanwhile (the next stage's, in the
 * other half), so that their buffers do not pile up while the job runs; stops at the first request
 * and keeps it (and what follows) for after the job.
 */
function placeWaiting(): void {
  if (deferred.length > 0) return;
  for (let m = receiveMessageOnPort(parentPort!); m; m = receiveMessageOnPort(parentPort!)) {
    const message = m.message as Message;
    if (!('window' in message)) return void deferred.push(message);
    place(message);
  }
}
