import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeJsonAtomic } from '../atomic-write';
import { UserError } from '../errors';
import type { JobOptions } from '../progress';
import { VERSION } from '../version';
import { runtimeOptions, type SessionOptions } from '../calib/model-session';
import { findLinearLayers } from '../onnx/linear-layers';
import { loadModel } from '../onnx/model-file';
import { saveModel } from '../onnx/save-model';
import { formatPattern } from '../prune/pattern';
import { calibrate, type CalibrationInfo, type CalibrationOptions } from './calibration';
import { evaluateOn, readEvaluationText } from './evaluation';
import { selectLayers, type LayerSelectionOptions } from './layer-selection';
import { checkWritable, prunedModelPath, reportPath } from './output-paths';
import { planPruning } from './prune-plan';
import type { MethodOptions } from './prune-options';
import type { GroupReport, LayerReport, PruneTotals } from './prune-report';
import { provenanceMetadata } from './provenance';

export interface PruneJobOptions extends JobOptions, SessionOptions, LayerSelectionOptions {
  method: MethodOptions;
  /** Calibration (required by wanda and esparse; optional for magnitude, where it adds channel summaries). */
  calibration?: Omit<CalibrationOptions, keyof SessionOptions>;
  /** Output model path (default: next to the input, `MODEL.<N>of<M>.<method>.onnx`). */
  out?: string;
  /** Perplexity before and after on this text. */
  evaluation?: { text: string; tokenizer?: string; seqlen?: number; maxWindows?: number };
}

/** The JSON report written next to the pruned model (docs/prune-report.md). */
export interface PruneReport {
  format: 'merino-prune-report';
  version: string;
  createdAt: string;
  input: string;
  output: string;
  options: {
    method: string;
    pattern: string | null;
    sparsity: number | null;
    alpha: number;
    shuffle: string;
    apply: string;
    block: number;
    include: string[];
    exclude: string[];
    includeLmHead: boolean;
  };
  calibration: CalibrationInfo | null;
  layers: LayerReport[];
  groups: GroupReport[];
  skipped: { name: string; reason: string }[];
  totals: PruneTotals;
  perplexity: null | { text: string; seqlen: number; windows: number; before: number; after: number };
  /** Wall time of each stage in ms. */
  stages: Record<'load' | 'calibration' | 'scoring' | 'shuffle' | 'write' | 'evaluation' | 'total', number>;
}

/**
 * Prunes one model end to end: load, select layers, calibrate, score/shuffle/mask, write the model
 * (temporary name, renamed on success) and its report, and optionally measure perplexity before
 * and after. A failure or cancellation leaves no output file.
 */
export async function pruneModel(modelPath: string, opts: PruneJobOptions): Promise<{ report: PruneReport; outPath: string; reportPath: string }> {
  const t0 = performance.now();
  const stages = { load: 0, calibration: 0, scoring: 0, shuffle: 0, write: 0, evaluation: 0, total: 0 };
  const lap = (key: keyof typeof stages, since: number) => (stages[key] += performance.now() - since);
  const { method } = opts;
  const needsStats = method.method !== 'magnitude';
  if (needsStats && !opts.calibration) throw new UserError(`${method.method} needs calibration data`, 'give --calib FILE (a text file, or .json/.jsonl token ids)');

  let t = performance.now();
  const model = await loadModel(modelPath);
  const scan = findLinearLayers(model);
  const selection = selectLayers(scan, opts, model.path);
  const outPath = resolve(opts.out ?? prunedModelPath(model.path, method));
  const outReport = reportPath(outPath);
  await checkWritable(outPath);
  lap('load', t);

  t = performance.now();
  const calibrated = opts.calibration
    ? await calibrate(model, selection, { ...opts.calibration, ...runtimeOptions(opts), signal: opts.signal, onProgress: opts.onProgress, needHistograms: method.method === 'esparse' })
    : undefined;
  lap('calibration', t);

  const evalOpts = opts.evaluation && { ...opts.evaluation, ...runtimeOptions(opts), signal: opts.signal, onProgress: opts.onProgress };
  t = performance.now();
  const text = evalOpts && (await readEvaluationText(model, { ...evalOpts, seqlen: evalOpts.seqlen ?? calibrated?.info.seqlen }));
  const before = evalOpts && text ? await evaluateOn(model, text, evalOpts) : undefined;
  lap('evaluation', t);

  const plan = await planPruning(model, scan, selection, calibrated?.stats.stats, method, opts);
  stages.scoring = plan.ms.scoring;
  stages.shuffle = plan.ms.shuffle;

  t = performance.now();
  await saveModel({ ...model, proto: plan.proto }, outPath, { replaced: plan.weights, metadata: provenanceMetadata(method, calibrated?.info), signal: opts.signal, onProgress: opts.onProgress });
  lap('write', t);
  try {
    t = performance.now();
    const after = evalOpts && text ? await evaluateOn(await loadModel(outPath), text, evalOpts) : undefined;
    lap('evaluation', t);
    stages.total = performance.now() - t0;
    const report: PruneReport = {
      format: 'merino-prune-report',
      version: VERSION,
      createdAt: new Date().toISOString(),
      input: model.path,
      output: outPath,
      options: {
        method: method.method,
        pattern: method.pattern ? formatPattern(method.pattern) : null,
        sparsity: method.sparsity ?? null,
        alpha: method.alpha,
        shuffle: method.shuffle,
        apply: method.apply,
        block: method.block,
        include: opts.include ?? [],
        exclude: opts.exclude ?? [],
        includeLmHead: opts.includeLmHead ?? false,
      },
      calibration: calibrated?.info ?? null,
      layers: plan.layers,
      groups: plan.groups,
      skipped: selection.skipped,
      totals: plan.totals,
      perplexity: before && after ? { text: resolve(opts.evaluation!.text), seqlen: before.seqlen, windows: before.windows, before: before.ppl, after: after.ppl } : null,
      stages: roundAll(stages),
    };
    await writeJsonAtomic(outReport, report);
    return { report, outPath, reportPath: outReport };
  } catch (e) {
    await Promise.all([rm(outPath, { force: true }), rm(`${outPath}.data`, { force: true })]);
    throw e;
  }
}

function roundAll<T extends Record<string, number>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)])) as T;
}
