import { executionProvidersHelp, executionProvidersSpec, modelRunOptions } from '../execution-providers';
import { sampleWindows } from '../../core/calib/sampling';
import { readModelTokens, resolveSeqlen } from '../../core/calib/model-text';
import { loadModel } from '../../core/onnx/model-file';
import { channelEntropy, channelRms } from '../../core/stats/channel-stats';
import { collectChannelStats, DEFAULT_BINS, type ActivationStats } from '../../core/stats/collect-stats';
import { binaryPathFor, writeStatsFile } from '../../core/stats/stats-file';
import type { Command } from '../command';
import { intOpt, positional, requiredOpt, stringOpt } from '../options';

export const DEFAULT_SAMPLES = 128;

export const statsCommand: Command = {
  name: 'stats',
  summary: 'per-channel activation statistics (entropy, RMS, min, max) of every prunable layer input',
  usage: [
    'Usage: merino stats MODEL --calib FILE [options]',
    '',
    'Runs calibration windows through the model and reports, per layer input and channel, the',
    'entropy (nats, histogram over [min, max]), RMS, min and max (docs/stats-format.md).',
    '',
    `  --calib FILE       calibration text or .json/.jsonl token ids`,
    `  --samples N        windows sampled at random offsets (default ${DEFAULT_SAMPLES})`,
    '  --seqlen N         window length (default: the model context from config.json)',
    '  --seed S           sampling seed (default 0)',
    `  --bins B           histogram bins per channel (default ${DEFAULT_BINS})`,
    '  --tokenizer F      tokenizer.json (default: one next to the model)',
    '  --batch N          windows per onnxruntime run (default 1)',
    '  --threads N        onnxruntime intra-op threads',
    executionProvidersHelp,
    '  --out F.json       write the header F.json and the arrays F.bin; otherwise print a summary',
  ].join('\n'),
  options: {
    calib: { type: 'string' },
    samples: { type: 'string' },
    seqlen: { type: 'string' },
    seed: { type: 'string' },
    bins: { type: 'string' },
    tokenizer: { type: 'string' },
    batch: { type: 'string' },
    threads: { type: 'string' },
    ...executionProvidersSpec,
    out: { type: 'string' },
  },
  async run(args, io) {
    const model = await loadModel(positional(args, 'MODEL (an .onnx file)'));
    const calib = readModelTokens(model, requiredOpt(args, 'calib', 'the calibration text file'), stringOpt(args, 'tokenizer'));
    const samples = intOpt(args, 'samples') ?? DEFAULT_SAMPLES;
    const seqlen = await resolveSeqlen(model, intOpt(args, 'seqlen'));
    const seed = intOpt(args, 'seed', 0, 2 ** 32 - 1) ?? 0;
    const windows = sampleWindows(calib.tokens, samples, seqlen, seed, calib.file);
    const result = await collectChannelStats(model, windows, {
      bins: intOpt(args, 'bins', 1, 65536),
      batch: intOpt(args, 'batch'),
      ...modelRunOptions(args, io),
    });
    const out = stringOpt(args, 'out');
    if (out) {
      writeStatsFile(out, result, { model: model.path, calibration: { file: calib.file, encoding: calib.encoding.kind, tokens: calib.tokens.length, samples, seqlen, seed } });
      io.out(`wrote ${out} and ${binaryPathFor(out)} (${result.taps.length} layer inputs)\n`);
    } else {
      io.out(summary(result));
    }
    return 0;
  },
};

/** One line per tapped activation: mean entropy and RMS over its channels, and its range. */
function summary(result: ActivationStats): string {
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const lines = result.taps.map((tap) => {
    const s = result.stats.get(tap.tensor)!;
    const lo = Math.min(...s.min), hi = Math.max(...s.max);
    return `${tap.layers.join(', ')}\n  K=${tap.channels}  entropy ${mean(channelEntropy(s)).toFixed(3)} nats  rms ${mean(channelRms(s)).toFixed(4)}  range [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]`;
  });
  return `${result.samples} windows × ${result.seqlen} tokens, ${result.bins} bins (mean over channels)\n${lines.join('\n')}\n`;
}
