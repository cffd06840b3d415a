// Worker-thread entry (bundled as dist/histogram-worker.js): counts the histograms of the taps the
// main thread hands over (histogram-share.ts) from the spill file, and sends them back.
import { parentPort } from 'node:worker_threads';
import { countTaps, type TapCount } from './histogram-share';
import { StatsKernels } from './stats-kernels';

parentPort!.once('message', ({ path, taps }: { path: string; taps: TapCount[] }) => {
  try {
    const histograms = countTaps(path, taps, new StatsKernels());
    parentPort!.postMessage({ histograms }, histograms.map((h) => h.buffer as ArrayBuffer));
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
