import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JobOptions } from '../progress';
import { readModelTokens, resolveSeqlen } from '../calib/model-text';
import type { SessionOptions } from '../calib/model-session';
import { sampleWindows } from '../calib/sampling';
import type { TokenEncoding } from '../calib/token-source';
import type { OnnxModel } from '../onnx/model-file';
import { activationTaps } from '../stats/activation-taps';
import { collectChannelStats, type ActivationStats, type HistogramPass } from '../stats/collect-stats';
import type { LayerSelection } from './layer-selection';

export interface CalibrationOptions extends SessionOptions {
  /** Calibration text, or a .json/.jsonl file of token ids. */
  calib: string;
  tokenizer?: string;
  samples: number;
  seqlen?: number;
  seed: number;
  bins: number;
  /** Windows per onnxruntime run. */
  batch?: number;
}

/** What the report and the model metadata record about the calibration. */
export interface CalibrationInfo {
  file: string;
  sha256: string;
  encoding: TokenEncoding['kind'];
  samples: number;
  seqlen: number;
  seed: number;
  bins: number;
  histogram: ActivationStats['histogram'];
}

/**
 * Collects the per-channel statistics of the activations that feed the selected layers, on
 * `samples` seeded windows of the calibration file. Histograms only when `needHistograms`.
 */
export async function calibrate(
  model: OnnxModel,
  selection: LayerSelection,
  opts: CalibrationOptions & JobOptions & { needHistograms: boolean },
): Promise<{ stats: ActivationStats; info: CalibrationInfo }> {
  const stream = readModelTokens(model, opts.calib, opts.tokenizer);
  const seqlen = await resolveSeqlen(model, opts.seqlen);
  const windows = sampleWindows(stream.tokens, opts.samples, seqlen, opts.seed, stream.file);
  const taps = activationTaps({ layers: selection.layers, siblings: [], lmHead: null, excluded: [] });
  const histogram: HistogramPass = opts.needHistograms ? 'auto' : 'none';
  const stats = await collectChannelStats(model, windows, { ...opts, taps, histogram, bins: opts.bins });
  const sha256 = createHash('sha256').update(readFileSync(stream.file)).digest('hex');
  return { stats, info: { file: stream.file, sha256, encoding: stream.encoding.kind, samples: opts.samples, seqlen, seed: opts.seed, bins: opts.bins, histogram: stats.histogram } };
}
