// Worker-thread entry (bundled as dist/histogram-worker.js): counts the histograms of the taps the
// main thread hands over (histogram-share.ts) from the spill file, or the whole statistics of a
// stage of the staged pass from its kernels' memory (shared with the main thread, which copies the
// activations into it), and sends them back; one request after another until the main thread ends it.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
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

parentPort!.on('message', (request: WorkerRequest | WorkerWindow) => {
  if ('window' in request) {
    new Float32Array(memory!.buffer).set(request.window, request.at);
    return;
  }
  try {
    if ('claims' in request) {
      // every window placed before this job is in memory: the main thread may help from now on
      Atomics.store(request.claims, READY, 1);
      Atomics.notify(request.claims, READY);
      const result = stageStats(request, kernels);
      parentPort!.postMessage({ result }, result.flatMap((s) => [s.min, s.max, s.sumSquares, s.histogram!].map((a) => a.buffer as ArrayBuffer)));
    } else {
      const result = countTaps(request.source, request.taps, kernels);
      parentPort!.postMessage({ result }, result.map((h) => h.buffer as ArrayBuffer));
    }
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
