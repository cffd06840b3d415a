// ONNX I/O benchmark (docs/onnx-io.md): a GPT-2-small-size decoder with random weights (~124M
// parameters, fp32) stored with external data and as one ~500 MB file. Measures loadModel (time,
// RSS growth, whether raw_data are views into the file buffer), reading every prunable weight,
// the layer scan, and saveModel (unchanged copy, all prunable weights replaced, inline).
// Each measurement runs in its own child process so its peak RSS (VmHWM) is its own.
// Usage: npm run bench onnx-io   (or: node --import tsx bench/onnx-io.bench.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findLinearLayers } from '../src/core/onnx/linear-layers';
import { loadModel } from '../src/core/onnx/model-file';
import { saveModel } from '../src/core/onnx/save-model';
import { readWeight } from '../src/core/onnx/stored-tensors';
import { buildDecoderModel, writeModel } from '../test/fixtures/build-fixtures';

const DIR = join(tmpdir(), 'merino-bench-onnx-io-v1');
const EXTERNAL = join(DIR, 'gpt2-small-external.onnx');
const INLINE = join(DIR, 'gpt2-small-inline.onnx');
const GPT2_SMALL = { blocks: 12, hidden: 768, ffn: 2048, heads: 12, vocab: 50257, context: 1024, tiedEmbeddings: true, kvCache: false, seed: 1 };

const rss = () => process.memoryUsage().rss;
/** Peak resident set size of this process so far (Linux VmHWM), bytes. */
function peakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : rss();
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number; rssGrowth: number; peakGrowth: number }> {
  const [r0, p0, t0] = [rss(), peakRss(), performance.now()];
  const value = await f();
  return { value, seconds: (performance.now() - t0) / 1000, rssGrowth: rss() - r0, peakGrowth: Math.max(0, peakRss() - p0) };
}

async function ensureModels(): Promise<void> {
  if (existsSync(EXTERNAL) && existsSync(`${EXTERNAL}.data`) && existsSync(INLINE)) return;
  mkdirSync(DIR, { recursive: true });
  const proto = buildDecoderModel(GPT2_SMALL);
  await writeModel(proto, EXTERNAL, true);
  await writeModel(proto, INLINE, false);
}

/** One measurement, run in a child process. */
async function child(phase: string): Promise<Record<string, unknown>> {
  const path = phase.includes('inline') ? INLINE : EXTERNAL;
  const load = await timed(() => loadModel(path));
  const model = load.value;
  const raws = model.proto.graph!.initializer.filter((t) => t.rawData.length > 0);
  const figures: Record<string, unknown> = {
    loadSeconds: load.seconds, loadRssGrowth: load.rssGrowth, fileBytes: statSync(path).size,
    rawDataTensors: raws.length, rawDataAreViews: raws.every((t) => t.rawData.buffer === model.bytes.buffer),
  };
  const out = join(DIR, `out-${phase}.onnx`);
  if (phase === 'read-external') {
    const scan = await timed(async () => findLinearLayers(model));
    const read = await timed(async () => {
      let n = 0;
      for (const l of scan.value.layers) n += (await readWeight(model, l.weight)).length;
      return n;
    });
    Object.assign(figures, { scanSeconds: scan.seconds, layers: scan.value.layers.length, readSeconds: read.seconds, readValues: read.value, readPeakGrowth: read.peakGrowth });
  } else if (phase === 'save-external-copy' || phase === 'save-inline-copy') {
    const save = await timed(() => saveModel(model, out));
    Object.assign(figures, { saveSeconds: save.seconds, savePeakGrowth: save.peakGrowth });
  } else if (phase === 'save-external-replaced') {
    // what the pruner does: every prunable weight replaced (here: 2:4 by position)
    const replaced = new Map<string, Float32Array>();
    for (const l of findLinearLayers(model).layers) replaced.set(l.weight, (await readWeight(model, l.weight)).map((v, i) => (i % 4 < 2 ? v : 0)));
    const save = await timed(() => saveModel(model, out, { replaced }));
    Object.assign(figures, { replacedTensors: replaced.size, saveSeconds: save.seconds, savePeakGrowth: save.peakGrowth });
  }
  figures.peakRss = peakRss();
  rmSync(out, { force: true });
  rmSync(`${out}.data`, { force: true });
  return figures;
}

function runChild(phase: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, phase], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench child ${phase} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const PHASES = ['read-external', 'save-external-copy', 'save-external-replaced', 'load-inline', 'save-inline-copy'];

export async function run(): Promise<object> {
  const build = await timed(ensureModels);
  const mib = (b: unknown) => `${(Number(b) / 2 ** 20).toFixed(0)} MiB`;
  const s = (x: unknown) => `${Number(x).toFixed(2)} s`;
  const figures: Record<string, unknown> = { model: GPT2_SMALL, externalBytes: statSync(EXTERNAL).size + statSync(`${EXTERNAL}.data`).size, inlineBytes: statSync(INLINE).size, buildSeconds: build.seconds };
  console.log(`models in ${DIR}: external ${mib(figures.externalBytes)}, single file ${mib(figures.inlineBytes)}`);
  for (const phase of PHASES) {
    const f = runChild(phase);
    figures[phase] = f;
    const extra = [
      f.readSeconds !== undefined && `scan ${s(f.scanSeconds)}, read ${f.layers} weights ${s(f.readSeconds)} (peak +${mib(f.readPeakGrowth)})`,
      f.saveSeconds !== undefined && `save ${s(f.saveSeconds)} (peak +${mib(f.savePeakGrowth)})`,
    ].filter(Boolean).join(', ');
    console.log(`${phase}: load ${s(f.loadSeconds)} (+${mib(f.loadRssGrowth)} RSS, file ${mib(f.fileBytes)}, raw_data views: ${f.rawDataAreViews}), ${extra}, peak RSS ${mib(f.peakRss)}`);
  }
  return figures;
}

if (require.main === module) {
  const [phase] = process.argv.slice(2);
  if (phase) child(phase).then((f) => console.log(JSON.stringify(f)));
  else run().then((f) => console.log(JSON.stringify(f, null, 2)));
}
