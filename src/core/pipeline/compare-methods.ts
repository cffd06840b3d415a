import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors';
import type { JobOptions } from '../progress';
import { runtimeOptions, type SessionOptions } from '../calib/model-session';
import { findLinearLayers } from '../onnx/linear-layers';
import { loadModel } from '../onnx/model-file';
import { saveModel } from '../onnx/save-model';
import { calibrate, type CalibrationInfo, type CalibrationOptions } from './calibration';
import { evaluateOn, readEvaluationText, type EvaluationOptions } from './evaluation';
import { selectLayers, type LayerSelectionOptions } from './layer-selection';
import { maskOverlap } from './mask-overlap';
import { targetLabel } from './output-paths';
import { planPruning } from './prune-plan';
import { methodLabel, type MethodOptions } from './prune-options';
import { provenanceMetadata } from './provenance';

export interface CompareOptions extends JobOptions, SessionOptions, LayerSelectionOptions {
  methods: MethodOptions[];
  calibration?: Omit<CalibrationOptions, keyof SessionOptions>;
  evaluation: Omit<EvaluationOptions, keyof SessionOptions | keyof JobOptions>;
}

export interface CompareRow {
  label: string;
  method: MethodOptions['method'];
  shuffle: MethodOptions['shuffle'];
  target: string;
  ppl: number;
  retainedRatio: number;
  sparsity: number;
  /** Scoring + masks + shuffle + write, in ms (calibration is shared and reported once). */
  ms: number;
  /** Groups whose channel permutation was applied. */
  shuffledGroups: number;
}

export interface CompareResult {
  model: string;
  dense: { ppl: number; windows: number; seqlen: number };
  calibration: CalibrationInfo | null;
  calibrationMs: number;
  rows: CompareRow[];
  /** overlap[i][j]: fraction of row i's kept positions that row j keeps too (original channel order). */
  overlap: number[][];
}

/**
 * Runs several pruning methods on one set of calibration statistics (collected once) and measures
 * each pruned model's perplexity on the same windows; the pruned models go to a private temp folder
 * that is removed afterwards.
 */
export async function compareMethods(modelPath: string, opts: CompareOptions): Promise<CompareResult> {
  if (opts.methods.length === 0) throw new UserError('no methods to compare', 'give --methods esparse,wanda,magnitude');
  const model = await loadModel(modelPath);
  const scan = findLinearLayers(model);
  const selection = selectLayers(scan, opts, model.path);
  const session = { ...runtimeOptions(opts), signal: opts.signal, onProgress: opts.onProgress };
  const needsStats = opts.methods.some((m) => m.method !== 'magnitude');
  if (needsStats && !opts.calibration) throw new UserError('wanda and esparse need calibration data', 'give --calib FILE');
  const t = performance.now();
  const calibrated = needsStats ? await calibrate(model, selection, { ...opts.calibration!, ...session, needHistograms: opts.methods.some((m) => m.method === 'esparse') }) : undefined;
  const calibrationMs = performance.now() - t;
  const evaluation = { ...opts.evaluation, ...session };
  const text = await readEvaluationText(model, { ...opts.evaluation, seqlen: opts.evaluation.seqlen ?? calibrated?.info.seqlen });
  const dense = await evaluateOn(model, text, evaluation);
  const dir = await mkdtemp(join(tmpdir(), 'merino-compare-'));
  const rows: CompareRow[] = [];
  const masks: Map<string, Uint8Array>[] = [];
  try {
    for (const [i, method] of opts.methods.entries()) {
      const started = performance.now();
      const plan = await planPruning(model, scan, selection, calibrated?.stats.stats, method, { ...session, keepMasks: true });
      const out = join(dir, `m${i}.onnx`);
      await saveModel({ ...model, proto: plan.proto }, out, { replaced: plan.weights, metadata: provenanceMetadata(method, calibrated?.info), signal: opts.signal });
      const ms = performance.now() - started;
      const pruned = await evaluateOn(await loadModel(out), text, evaluation);
      await rm(out, { force: true });
      await rm(`${out}.data`, { force: true });
      masks.push(plan.keptMasks!);
      rows.push({
        label: methodLabel(method), method: method.method, shuffle: method.shuffle, target: targetLabel(method),
        ppl: pruned.ppl, retainedRatio: plan.totals.retainedRatio, sparsity: plan.totals.sparsity, ms,
        shuffledGroups: plan.groups.filter((g) => g.permutation).length,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const overlap = masks.map((a) => masks.map((b) => maskOverlap(a, b)));
  return { model: model.path, dense: { ppl: dense.ppl, windows: dense.windows, seqlen: dense.seqlen }, calibration: calibrated?.info ?? null, calibrationMs, rows, overlap };
}
