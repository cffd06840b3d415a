import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDesign } from '../../core/config/design-file';
import { formatQuantity } from '../../core/config/quantity';
import { UserError } from '../../core/errors';
import { type Arch, type ModelSpec, describeArch } from '../../core/merino/architecture';
import { countParams } from '../../core/merino/cost-model';
import { hfConfig } from '../../core/merino/hf-config';
import { measureLatency } from '../../core/merino/measured-latency';
import { buildSkeletonModel } from '../../core/merino/onnx-skeleton';
import { writeJsonAtomic } from '../../core/atomic-write';
import { entryArch, readResults, resultAt } from '../../core/merino/results-file';
import { saveModel } from '../../core/onnx/save-model';
import type { Command } from '../command';
import { executionProvidersHelp, executionProvidersSpec, modelRunOptions } from '../execution-providers';
import { flag, intOpt, positional, requiredOpt } from '../options';
import { progressPrinter } from '../progress-printer';

/** The architecture to export: rank K of a results file, or the "arch" of a design file. */
async function chosenArch(file: string, rank: number): Promise<{ arch: Arch; model: ModelSpec; seqLen: number }> {
  if (/\.merino\.results\.json$/i.test(file)) {
    const results = await readResults(file);
    return { arch: entryArch(resultAt(results, rank, file)), model: results.model, seqLen: results.budget.latency?.seqLen ?? Math.min(128, results.model.context) };
  }
  const config = await loadDesign(file);
  if (!config.arch) throw new UserError(`${file} has no "arch"`, 'give a NAME.merino.results.json from merino search, or add "arch" to the design');
  return { arch: config.arch, model: config.model, seqLen: config.budget.latency?.seqLen ?? Math.min(128, config.model.context) };
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export a search result (or a design\'s arch) as a Hugging Face config.json or an ONNX skeleton',
  usage: [
    'Usage: merino export FILE.merino.results.json --rank K --format hf|onnx --out DIR [options]',
    '       merino export FILE.merino.json --format hf|onnx --out DIR      (the design\'s "arch")',
    '',
    'hf:   DIR/config.json (gpt2, opt or llama style when the architecture is uniform, else model_type "merino").',
    'onnx: DIR/model.onnx (+ model.onnx.data when large) with seeded random weights, and DIR/config.json.',
    '',
    '  --rank K          result to export (default 1)',
    '  --seed S          random-weight seed (default 0)',
    '  --std X           weight standard deviation (default 0.02)',
    '  --no-kv-cache     omit the past_key_values inputs / present outputs',
    '  --external-data   always write weights to model.onnx.data (default: when over 1.8 GB)',
    '  --measure         time the exported model with onnxruntime (prefill and one decode step)',
    '  --threads N       onnxruntime intra-op threads for --measure',
    executionProvidersHelp,
  ].join('\n'),
  options: {
    rank: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' }, std: { type: 'string' },
    'no-kv-cache': { type: 'boolean' }, 'external-data': { type: 'boolean' }, measure: { type: 'boolean' }, threads: { type: 'string' }, ...executionProvidersSpec,
  },
  async run(args, io) {
    const file = positional(args, 'FILE.merino.results.json');
    const format = requiredOpt(args, 'format', 'hf or onnx');
    if (format !== 'hf' && format !== 'onnx') throw new UserError(`--format must be hf or onnx, got "${format}"`);
    const outDir = requiredOpt(args, 'out', 'the output folder');
    const { arch, model, seqLen } = await chosenArch(file, intOpt(args, 'rank', 1) ?? 1);
    await mkdir(outDir, { recursive: true });
    await writeJsonAtomic(join(outDir, 'config.json'), hfConfig(arch, model));
    const params = countParams(arch, model);
    if (format === 'hf') {
      io.out(`wrote ${join(outDir, 'config.json')} for ${describeArch(arch)} (${formatQuantity(params)} parameters)\n`);
      return 0;
    }
    const std = args.values.std === undefined ? undefined : Number(args.values.std);
    if (std !== undefined && !(std > 0 && std < 10)) throw new UserError(`--std must be a number in (0, 10), got "${args.values.std}"`);
    const kvCache = !flag(args, 'no-kv-cache');
    const proto = buildSkeletonModel(arch, model, { seed: intOpt(args, 'seed', 0, 4294967295) ?? 0, kvCache, std });
    const path = join(outDir, 'model.onnx');
    await saveModel({ proto }, path, { externalData: flag(args, 'external-data') ? true : 'auto', signal: io.signal, onProgress: progressPrinter(io.err, io.isTTY) });
    io.out(`wrote ${path} for ${describeArch(arch)} (${formatQuantity(params)} parameters${kvCache ? ', KV cache' : ''})\n`);
    if (flag(args, 'measure')) {
      const m = await measureLatency(path, model.vocabSize, { seqLen, ...modelRunOptions(args, io) });
      io.out(`measured on this machine (onnxruntime-node ${m.executionProviders.join(',')}, median of ${m.runs}): prefill ${seqLen} tokens ${m.prefillMs.toFixed(1)} ms${m.decodeMs !== undefined ? `, decode 1 token over ${seqLen} cached ${m.decodeMs.toFixed(2)} ms` : ''}\n`);
    }
    return 0;
  },
};
