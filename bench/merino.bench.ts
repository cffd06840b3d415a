// MeRino figures: validation time of a typical design file (what the language server pays per
// keystroke), the default search time on the IoT example, and the measured latency of its best
// architecture's ONNX skeleton on this machine (docs/merino-design.md quotes these).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMerinoText, validateMerinoText } from '../src/core/config/merino-document';
import { describeArch } from '../src/core/merino/architecture';
import { searchArchitectures } from '../src/core/merino/evolutionary-search';
import { measureLatency } from '../src/core/merino/measured-latency';
import { buildSkeletonModel } from '../src/core/merino/onnx-skeleton';
import { saveModel } from '../src/core/onnx/save-model';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function timeValidation(text: string, runs: number, opts?: { schema?: boolean }): number {
  for (let i = 0; i < 50; i++) validateMerinoText(text, opts); // warm-up (JIT)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    validateMerinoText(text, opts);
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function run(): Promise<Record<string, unknown>> {
  const examples = join(__dirname, '../examples');
  const iotText = await readFile(join(examples, 'iot-raspberry-pi-4.merino.json'), 'utf8');
  const gpt2Text = await readFile(join(examples, 'gpt2-small.merino.json'), 'utf8');
  const validation = {
    iotMedianMs: timeValidation(iotText, 1000),
    iotSemanticOnlyMedianMs: timeValidation(iotText, 1000, { schema: false }),
    gpt2WithArchMedianMs: timeValidation(gpt2Text, 1000),
  };
  console.log(`validation (median of 1000): IoT ${validation.iotMedianMs.toFixed(3)} ms, IoT semantic only ${validation.iotSemanticOnlyMedianMs.toFixed(3)} ms, GPT-2 with arch ${validation.gpt2WithArchMedianMs.toFixed(3)} ms`);

  const config = parseMerinoText(iotText, 'iot-raspberry-pi-4').config;
  const searches: Awaited<ReturnType<typeof searchArchitectures>>[] = [];
  for (let i = 0; i < 3; i++) searches.push(await searchArchitectures(config));
  const best = searches[0].top[0];
  const search = {
    medianSeconds: median(searches.map((s) => s.elapsedMs)) / 1000,
    iterations: searches[0].iterations,
    evaluated: searches[0].evaluated,
    pareto: searches[0].pareto.length,
    deterministic: searches.every((s) => JSON.stringify(s.top.map((t) => t.key)) === JSON.stringify(searches[0].top.map((t) => t.key))),
    best: { arch: describeArch(best.arch), params: best.estimate.params, flops: best.estimate.flops, rooflineDecodeMs: best.estimate.latency?.decodeMs, entropy: best.estimate.entropy },
  };
  console.log(`default search on the IoT example (median of 3): ${search.medianSeconds.toFixed(2)} s, ${search.iterations} iterations, ${search.evaluated} evaluated, deterministic: ${search.deterministic}`);
  console.log(`best: ${search.best.arch}, ${(search.best.params / 1e6).toFixed(2)}M params, H = ${search.best.entropy.toFixed(2)}`);

  const dir = await mkdtemp(join(tmpdir(), 'merino-bench-'));
  let measured;
  try {
    const path = join(dir, 'best.onnx');
    await saveModel({ proto: buildSkeletonModel(best.arch, config.model, { kvCache: true }) }, path);
    const seqLen = config.budget.latency!.seqLen;
    measured = { seqLen, ...(await measureLatency(path, config.model.vocabSize, { seqLen, runs: 3, warmup: 1 })) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`best architecture's skeleton on this machine (onnxruntime CPU, median of 3): prefill ${measured.seqLen} tokens ${measured.prefillMs.toFixed(0)} ms, decode ${measured.decodeMs?.toFixed(1)} ms (roofline on raspberry-pi-4: ${best.estimate.latency?.prefillMs.toFixed(0)} / ${best.estimate.latency?.decodeMs.toFixed(1)} ms)`);
  return { validation, search, measured };
}
