// Calibration benchmark (docs/calibration.md): a GPT-2-small-size decoder with random weights
// (~124M parameters, fp32, external data), 16 samples × 512 tokens, 2 intra-op threads.
// Each measurement runs in its own child process so that its peak RSS (VmHWM) is its own.
// Usage: npm run bench calibration   (or: node --import tsx bench/calibration.bench.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as ort from 'onnxruntime-node';
import { feedsFor, openSession } from '../src/core/calib/model-session';
import { windowBatch, type TokenWindows } from '../src/core/calib/sampling';
import { loadModel, type OnnxModel } from '../src/core/onnx/model-file';
import { findLinearLayers } from '../src/core/onnx/linear-layers';
import { makeFeeds } from '../src/core/onnx/model-inputs';
import { activationTaps } from '../src/core/stats/activation-taps';
import { collectChannelStats, type HistogramPass } from '../src/core/stats/collect-stats';
import { buildTapModel } from '../src/core/stats/tap-model';
import { buildDecoderModel, writeModel } from '../test/fixtures/build-fixtures';
import { seededRandom } from '../test/fixtures/onnx-builder';

const SAMPLES = 16;
const SEQLEN = 512;
const THREADS = 2;
const VOCAB = 50257;
const MODEL_DIR = join(tmpdir(), 'merino-bench-gpt2-v1');
const MODEL = join(MODEL_DIR, 'gpt2-small-random.onnx');
/** [histogram pass or 'full-forward', batch]; MERINO_BENCH_PHASES="spill:1,rerun:1" picks some. */
const PHASES: [string, number][] = (process.env.MERINO_BENCH_PHASES ?? 'spill:1,full-forward:4,spill:4,rerun:1').split(',').map((p) => {
  const [phase, batch] = p.split(':');
  return [phase!, Number(batch ?? 1)];
});

/** GPT-2-small budget with the fixture decoder: 12 × (4·768² attention + 3·768·2048 SwiGLU) + tied 50257×768 embedding + 1024 positions. */
async function ensureModel(): Promise<void> {
  if (existsSync(MODEL) && existsSync(`${MODEL}.data`)) return;
  mkdirSync(MODEL_DIR, { recursive: true });
  const proto = buildDecoderModel({ blocks: 12, hidden: 768, ffn: 2048, heads: 12, vocab: VOCAB, context: 1024, tiedEmbeddings: true, kvCache: false, seed: 1 });
  await writeModel(proto, MODEL, true);
}

function windows(): TokenWindows {
  const rand = seededRandom(17);
  return { tokens: Int32Array.from({ length: SAMPLES * SEQLEN }, () => Math.floor(rand() * VOCAB)), samples: SAMPLES, seqlen: SEQLEN };
}

/** Peak resident set size of this process so far (Linux VmHWM), bytes. */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

/** Wall and CPU seconds (all threads of this process) of `job`. */
async function timed(job: () => Promise<unknown>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await job();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** One plain pass over the windows fetching only `output`. */
async function forwardOnly(model: OnnxModel, session: ort.InferenceSession, output: string, batch: number): Promise<void> {
  const w = windows();
  for (let first = 0; first < w.samples; first += batch) {
    const count = Math.min(batch, w.samples - first);
    await session.run(feedsFor(session, makeFeeds(model, windowBatch(w, first, count), count, w.seqlen)), [output]);
  }
}

/** One measurement, run inside a child process; prints its figures as JSON. */
async function child(phase: string, batch: number): Promise<Record<string, number | string>> {
  let t0 = performance.now();
  const model = await loadModel(MODEL);
  const taps = activationTaps(findLinearLayers(model));
  const loadSeconds = (performance.now() - t0) / 1000;
  if (phase === 'full-forward') {
    t0 = performance.now();
    const session = await openSession(model, model.proto, { threads: THREADS });
    const sessionSeconds = (performance.now() - t0) / 1000;
    const forward = await timed(() => forwardOnly(model, session, 'logits', batch));
    return { loadSeconds, sessionSeconds, ...forward, peakRss: peakRss() };
  }
  const histogram = phase as HistogramPass;
  const calib = await timed(() => collectChannelStats(model, windows(), { threads: THREADS, batch, histogram, taps }));
  const rss = peakRss();
  // The forward alone on the same cut graph (no lm_head), fetching only the smallest activation;
  // like the calibration it includes creating its session.
  const cheapest = taps.reduce((a, b) => (b.channels < a.channels ? b : a)).tensor;
  const forward = await timed(async () => {
    const session = await openSession(model, buildTapModel(model.proto, taps.map((t) => t.tensor)).proto, { threads: THREADS });
    await forwardOnly(model, session, cheapest, batch);
    await session.release();
  });
  const channels = taps.reduce((s, t) => s + t.channels, 0);
  return {
    loadSeconds, ...calib, peakRss: rss, forwardSeconds: forward.seconds, forwardCpuSeconds: forward.cpuSeconds,
    ratio: calib.seconds / forward.seconds, cpuRatio: calib.cpuSeconds / forward.cpuSeconds, taps: taps.length, channels, histogram,
  };
}

function runChild(phase: string, batch: number): Record<string, number | string> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, phase, String(batch)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child ${phase} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

export async function run(): Promise<object> {
  await ensureModel();
  const modelBytes = statSync(MODEL).size + statSync(`${MODEL}.data`).size;
  const gib = (b: unknown) => `${(Number(b) / 2 ** 30).toFixed(2)} GiB`;
  const figures: Record<string, unknown> = { samples: SAMPLES, seqlen: SEQLEN, threads: THREADS, modelBytes, date: new Date().toISOString(), loadAverage: readFileSync('/proc/loadavg', 'utf8').trim() };
  for (const [phase, batch] of PHASES) {
    const f = runChild(phase, batch);
    figures[`${phase}-batch${batch}`] = f;
    const activationBytes = typeof f.channels === 'number' ? batch * SEQLEN * f.channels * 4 : 0;
    const extra = typeof f.ratio === 'number'
      ? `; forward alone ${Number(f.forwardSeconds).toFixed(1)} s (cpu ${Number(f.forwardCpuSeconds).toFixed(1)} s); ratio ${Number(f.ratio).toFixed(2)} wall, ${Number(f.cpuRatio).toFixed(2)} cpu; RSS target ${gib(2 * modelBytes + activationBytes)}`
      : '';
    console.log(`${phase} batch ${batch}: load ${Number(f.loadSeconds).toFixed(1)} s, run ${Number(f.seconds).toFixed(1)} s (cpu ${Number(f.cpuSeconds).toFixed(1)} s), peak RSS ${gib(f.peakRss)}${extra}`);
  }
  return figures;
}

if (require.main === module) {
  const [phase, batch] = process.argv.slice(2);
  if (phase) {
    child(phase, Number(batch)).then((f) => console.log(JSON.stringify(f)));
  } else {
    run().then((f) => console.log(JSON.stringify(f, null, 2)));
  }
}
