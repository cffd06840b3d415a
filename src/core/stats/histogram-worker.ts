// Worker-thread entry (bundled as dist/histogram-worker.js): counts the histograms of the taps the
// main thread hands over (histogram-share.ts), from the spill file or from its kernels' memory (shared
// with the main thread, which copies the staged pass's activations into it), and sends
// them back; one request after another until the main thread ends it.
import { parentPort, workerData } from 'node:worker_threads';
import { countTaps, type ChunkSource, type TapCount } from './histogram-share';
import { StatsKernels } from './stats-kernels';

const kernels = new StatsKernels((workerData as { memory?: WebAssembly.Memory } | null)?.memory);

parentPort!.on('message', ({ source, taps }: { source: ChunkSource; taps: TapCount[] }) => {
  try {
    const histograms = countTaps(source, taps, kernels);
    parentPort!.postMessage({ histograms }, histograms.map((h) => h.buffer as ArrayBuffer));
  } catch (e) {
    parentPort!.postMessage({ error: (e as Error).message });
  }
});
