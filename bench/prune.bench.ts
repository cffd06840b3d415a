// Pruning pipeline benchmark (docs/pruning-pipeline.md, "Performance"): a GPT-2-small-size random
// model built by the MeRino skeleton builder (12 × 768, GELU MLP 3072, vocab 50257, tied, fp32,
// external data; ~124M parameters, cached under .bench/), calibrated on 16 windows × 512 byte-level
// tokens of demo/calib.txt, pruned 2:4 with wanda and esparse, shuffle none and both.
// Each measurement runs in its own child process so that its peak RSS (VmHWM) is its own; the stages
// are the calls pruneModel makes (calibrate, planPruning, saveModel), timed in wall and CPU seconds,
// and the reference is a plain forward over the same windows on the calibration's cut graph (stopped
// after the last tapped activation, like calibration) fetching only its smallest activation.
// Usage: npm run bench prune   (or: node --import tsx bench/prune.bench.ts)
//   MERINO_BENCH_RUNS=3 (runs per configuration; medians are reported)
//   MERINO_BENCH_PRUNE="wanda:none,esparse:none,wanda:both,esparse:both"
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { feedsFor, openSession } from '../src/core/calib/model-session';
import { sampleWindows, windowBatch, type TokenWindows } from '../src/core/calib/sampling';
import type { Arch, ModelSpec } from '../src/core/merino/architecture';
import { buildSkeletonModel } from '../src/core/merino/onnx-skeleton';
import { findLinearLayers } from '../src/core/onnx/linear-layers';
import { loadModel, type OnnxModel } from '../src/core/onnx/model-file';
import { makeFeeds } from '../src/core/onnx/model-inputs';
import { saveModel } from '../src/core/onnx/save-model';
import { calibrate } from '../src/core/pipeline/calibration';
import { selectLayers } from '../src/core/pipeline/layer-selection';
import { DEFAULT_BINS, DEFAULT_SEED, methodDefaults } from '../src/core/pipeline/prune-options';
import { planPruning } from '../src/core/pipeline/prune-plan';
import { provenanceMetadata } from '../src/core/pipeline/provenance';
import { parseShuffleMode } from '../src/core/prune/channel-shuffle';
import { parseMethod } from '../src/cli/commands/prune-args';
import { activationTaps } from '../src/core/stats/activation-taps';
import { buildTapModel } from '../src/core/stats/tap-model';

const SAMPLES = 16;
const SEQLEN = 512;
const THREADS = 2;
const PATTERN = { n: 2, m: 4 };
const RUNS = Number(process.env.MERINO_BENCH_RUNS ?? 3);
const CONFIGS = (process.env.MERINO_BENCH_PRUNE ?? 'wanda:none,esparse:none,wanda:both,esparse:both').split(',');
const MODEL_DIR = join(__dirname, '..', '.bench', 'prune-gpt2-small-v1');
const MODEL = join(MODEL_DIR, 'gpt2-small-random.onnx');
/** demo/calib.txt as byte ids (valid ids of the 50257-token vocabulary). */
const CALIB = join(MODEL_DIR, 'calib-bytes.json');

const GPT2_SMALL: { arch: Arch; spec: ModelSpec } = {
  arch: { blocks: [{ layers: 12, width: 768, heads: 12, ffnDim: 3072, shared: false }] },
  spec: { vocabSize: 50257, context: 1024, tiedEmbeddings: true, norm: 'layernorm', mlp: 'gelu', biases: true, positions: 'learned', positionOffset: 0, finalNorm: true },
};

async function ensureModel(): Promise<void> {
  if (!existsSync(CALIB)) {
    mkdirSync(MODEL_DIR, { recursive: true });
    writeFileSync(CALIB, JSON.stringify([...readFileSync(join(__dirname, '..', 'demo', 'calib.txt'))]));
  }
  if (existsSync(MODEL) && existsSync(`${MODEL}.data`)) return;
  await saveModel({ proto: buildSkeletonModel(GPT2_SMALL.arch, GPT2_SMALL.spec, { seed: 1 }) }, MODEL, { externalData: true });
}

/** Peak resident set size of this process so far (Linux VmHWM), bytes. */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

interface Timing { wall: number; cpu: number }

/** Wall and CPU seconds (all threads of this process) of `job`. */
async function timed<T>(job: () => Promise<T>): Promise<[T, Timing]> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = await job();
  const used = process.cpuUsage(cpu);
  return [result, { wall: (performance.now() - t0) / 1000, cpu: (used.user + used.system) / 1e6 }];
}

/** One plain pass over the windows fetching only `output`. */
async function forwardOnly(model: OnnxModel, session: ort.InferenceSession, output: string, windows: TokenWindows): Promise<void> {
  for (let s = 0; s < windows.samples; s++) {
    await session.run(feedsFor(session, makeFeeds(model, windowBatch(windows, s, 1), 1, windows.seqlen)), [output]);
  }
}

/** One measurement in a child process: load, calibrate, prune in memory, write, then the reference forward. */
async function child(config: string): Promise<Record<string, unknown>> {
  const [methodName, shuffleName] = config.split(':');
  const method = methodDefaults(parseMethod(methodName!), { pattern: PATTERN, shuffle: parseShuffleMode(shuffleName!) });
  const [ctx, load] = await timed(async () => {
    const model = await loadModel(MODEL);
    const scan = findLinearLayers(model);
    return { model, scan, selection: selectLayers(scan, {}, model.path) };
  });
  const { model, scan, selection } = ctx;
  const calibOptions = { calib: CALIB, samples: SAMPLES, seqlen: SEQLEN, seed: DEFAULT_SEED, bins: DEFAULT_BINS, threads: THREADS, needHistograms: method.method === 'esparse' };
  const [calibrated, calibration] = await timed(() => calibrate(model, selection, calibOptions));
  const [plan, pruning] = await timed(() => planPruning(model, scan, selection, calibrated.stats.stats, method));
  const out = mkdtempSync(join(tmpdir(), 'merino-bench-prune-'));
  try {
    const [, write] = await timed(() => saveModel({ ...model, proto: plan.proto }, join(out, 'pruned.onnx'), { replaced: plan.weights, metadata: provenanceMetadata(method, calibrated.info) }));
    const rss = peakRss();
    const forward = await referenceForward(model, selection.layers);
    return {
      config, load, calibration, pruning, write, scoringSeconds: plan.ms.scoring / 1000, shuffleSeconds: plan.ms.shuffle / 1000, forward: forward.timing,
      peakRss: rss, histogram: calibrated.info.histogram, tapChannels: forward.channels, retainedRatio: plan.totals.retainedRatio,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The calibration's forward passes alone: same windows, same cut graph, fetching only the smallest tap. */
async function referenceForward(model: OnnxModel, layers: Parameters<typeof activationTaps>[0]['layers']): Promise<{ timing: Timing; channels: number }> {
  const taps = activationTaps({ layers, siblings: [], lmHead: null, excluded: [] });
  const cut = buildTapModel(model.proto, taps.map((t) => t.tensor));
  const session = await openSession(model, cut.proto, { threads: THREADS });
  const cheapest = taps.reduce((a, b) => (b.channels < a.channels ? b : a)).tensor;
  const windows = sampleWindows(Int32Array.from(JSON.parse(readFileSync(CALIB, 'utf8')) as number[]), SAMPLES, SEQLEN, DEFAULT_SEED, CALIB);
  const [, timing] = await timed(() => forwardOnly(model, session, cut.fetch.get(cheapest)!, windows));
  await session.release();
  return { timing, channels: taps.reduce((s, t) => s + t.channels, 0) };
}

function runChild(config: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, config], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child ${config} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Medians over the runs of one configuration, in seconds (wall and CPU) and bytes. */
function summarize(runs: Record<string, unknown>[], modelBytes: number): Record<string, number | string> {
  const pick = (f: (r: Record<string, unknown>) => number) => median(runs.map(f));
  const t = (stage: string, k: keyof Timing) => (r: Record<string, unknown>) => (r[stage] as Timing)[k];
  const overhead = (k: keyof Timing) => (r: Record<string, unknown>) => t('calibration', k)(r) - t('forward', k)(r) + t('pruning', k)(r) + t('write', k)(r);
  const channels = runs[0]!.tapChannels as number;
  const activationBytes = SEQLEN * channels * 4;
  return {
    runs: runs.length,
    forwardWall: pick(t('forward', 'wall')), forwardCpu: pick(t('forward', 'cpu')),
    calibrationWall: pick(t('calibration', 'wall')), calibrationCpu: pick(t('calibration', 'cpu')),
    statisticsWall: pick((r) => t('calibration', 'wall')(r) - t('forward', 'wall')(r)), statisticsCpu: pick((r) => t('calibration', 'cpu')(r) - t('forward', 'cpu')(r)),
    scoringWall: pick((r) => r.scoringSeconds as number), shuffleWall: pick((r) => r.shuffleSeconds as number),
    pruningWall: pick(t('pruning', 'wall')), pruningCpu: pick(t('pruning', 'cpu')),
    writeWall: pick(t('write', 'wall')), writeCpu: pick(t('write', 'cpu')),
    ratioWall: pick((r) => overhead('wall')(r) / t('forward', 'wall')(r)), ratioCpu: pick((r) => overhead('cpu')(r) / t('forward', 'cpu')(r)),
    peakRss: pick((r) => r.peakRss as number), rssTarget: 2 * modelBytes + activationBytes,
    histogram: String(runs[0]!.histogram), retainedRatio: runs[0]!.retainedRatio as number,
  };
}

export async function run(): Promise<object> {
  await ensureModel();
  const modelBytes = statSync(MODEL).size + statSync(`${MODEL}.data`).size;
  const results = new Map<string, Record<string, unknown>[]>(CONFIGS.map((c) => [c, []]));
  // Runs interleave the configurations so that a change of machine load spreads over all of them.
  for (let i = 0; i < RUNS; i++) for (const config of CONFIGS) results.get(config)!.push(runChild(config));
  const figures: Record<string, unknown> = { samples: SAMPLES, seqlen: SEQLEN, threads: THREADS, pattern: '2:4', modelBytes, date: new Date().toISOString(), loadAverage: readFileSync('/proc/loadavg', 'utf8').trim() };
  const s = (x: unknown) => `${Number(x).toFixed(1)} s`;
  const gib = (b: unknown) => `${(Number(b) / 2 ** 30).toFixed(2)} GiB`;
  for (const [config, runs] of results) {
    const f = summarize(runs, modelBytes);
    figures[config] = { ...f, all: runs };
    console.log(
      `${config} (median of ${f.runs}): forward ${s(f.forwardWall)} (cpu ${s(f.forwardCpu)}); statistics ${s(f.statisticsWall)} (cpu ${s(f.statisticsCpu)}, ${f.histogram}); ` +
      `scoring+masks ${s(f.scoringWall)}, shuffle ${s(f.shuffleWall)} (planPruning cpu ${s(f.pruningCpu)}); write ${s(f.writeWall)} (cpu ${s(f.writeCpu)}); ` +
      `overhead/forward ${Number(f.ratioWall).toFixed(2)} wall, ${Number(f.ratioCpu).toFixed(2)} cpu; peak RSS ${gib(f.peakRss)} (target ${gib(f.rssTarget)})`,
    );
  }
  return figures;
}

if (require.main === module) {
  const [config] = process.argv.slice(2);
  if (config) {
    child(config).then((f) => console.log(JSON.stringify(f)));
  } else {
    run().then((f) => console.log(JSON.stringify(f, null, 2)));
  }
}
