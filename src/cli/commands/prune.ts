import { modelRunOptions } from '../execution-providers';
import { findLinearLayers } from '../../core/onnx/linear-layers';
import { loadModel } from '../../core/onnx/model-file';
import { dryRun, type DryRun } from '../../core/pipeline/dry-run';
import { selectLayers } from '../../core/pipeline/layer-selection';
import { pruneModel, type PruneReport } from '../../core/pipeline/prune-model';
import type { Command } from '../command';
import { flag, positional, stringOpt } from '../options';
import { calibrationFromArgs, evaluationFromArgs, methodFromArgs, parseMethod, pruneOptionSpecs, pruneOptionsHelp, selectionFromArgs } from './prune-args';

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'prune a model to N:M (or unstructured) sparsity with esparse, wanda or magnitude',
  usage: [
    'Usage: merino prune MODEL --pattern 2:4 --method esparse|wanda|magnitude --calib FILE [options]',
    '',
    'Writes MODEL.<N>of<M>.<method>.onnx and MODEL.<N>of<M>.<method>.report.json next to MODEL',
    '(<method>-<shuffle> when --shuffle is not the method\'s default, e.g. MODEL.2of4.esparse-none.onnx;',
    'docs/pruning-pipeline.md, docs/prune-report.md).',
    '',
    '  --method M         esparse (default), wanda or magnitude',
    '  --out FILE         output model path',
    '  --dry-run          list the layers that would be pruned, their compliance today and N:M storage, without calibration',
    pruneOptionsHelp,
  ].join('\n'),
  options: { ...pruneOptionSpecs, method: { type: 'string' }, out: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run(args, io) {
    const modelPath = positional(args, 'MODEL (an .onnx file)');
    const method = methodFromArgs(args, parseMethod(stringOpt(args, 'method') ?? 'esparse'));
    const selectionOptions = selectionFromArgs(args);
    if (flag(args, 'dry-run')) {
      const model = await loadModel(modelPath);
      const result = await dryRun(model, selectLayers(findLinearLayers(model), selectionOptions, model.path), method.pattern ?? { n: 2, m: 4 });
      io.out(flag(args, 'json') ? JSON.stringify(result, null, 2) + '\n' : formatDryRun(result));
      return 0;
    }
    const { report, outPath, reportPath } = await pruneModel(modelPath, {
      ...selectionOptions,
      method,
      calibration: calibrationFromArgs(args),
      evaluation: evaluationFromArgs(args),
      out: stringOpt(args, 'out'),
      ...modelRunOptions(args, io),
    });
    io.out(flag(args, 'json') ? JSON.stringify(report, null, 2) + '\n' : formatReport(report, outPath, reportPath));
    return 0;
  },
};

function formatReport(r: PruneReport, outPath: string, reportPath: string): string {
  const t = r.totals;
  const lines = [
    `pruned ${t.pruned} of ${t.layers} layers with ${r.options.method} (${r.options.pattern ?? `${(r.options.sparsity ?? 0) * 100}% unstructured`}, shuffle ${r.options.shuffle})`,
    `  sparsity ${(t.sparsity * 100).toFixed(2)}% of ${t.weights.toLocaleString('en-US')} weights, retained score ${(t.retainedRatio * 100).toFixed(2)}%`,
  ];
  const dense = r.layers.filter((l) => l.status === 'dense');
  if (dense.length) lines.push(`  left dense: ${dense.map((l) => `${l.name} (${l.denseReason})`).join('; ')}`);
  const shuffled = r.groups.filter((g) => g.permutation);
  if (shuffled.length) {
    const folded = shuffled.filter((g) => g.permutation!.apply === 'fold').length;
    lines.push(`  channel shuffle applied to ${shuffled.length} of ${r.groups.length} groups (${folded} folded, ${shuffled.length - folded} gather)`);
  }
  if (r.perplexity) lines.push(`  perplexity ${r.perplexity.before.toFixed(3)} → ${r.perplexity.after.toFixed(3)} (${r.perplexity.windows} windows of ${r.perplexity.seqlen})`);
  const s = r.stages;
  lines.push(`  time: load ${s.load} ms, calibration ${s.calibration} ms, scoring ${s.scoring} ms, shuffle ${s.shuffle} ms, write ${s.write} ms, evaluation ${s.evaluation} ms`);
  lines.push(`model:  ${outPath}`, `report: ${reportPath}`);
  return lines.join('\n') + '\n';
}

function formatDryRun(d: DryRun): string {
  const rows = d.layers.map((l) => [l.name, `${l.K}×${l.N}`, l.layout, l.dtype, `${(l.sparsity * 100).toFixed(1)}%`, l.compliant ? 'yes' : 'no', l.denseReason ? `dense: ${l.denseReason}` : `${kib(l.denseBytes)} → ${kib(l.compressedBytes)}`]);
  const header = ['layer', 'K×N', 'layout', 'dtype', 'zeros', `${d.pattern} now`, 'storage (values + indices)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [fmt(header), ...rows.map(fmt)];
  if (d.skipped.length) lines.push('', `not selected: ${d.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
  lines.push('', `${d.layers.length} layers at ${d.pattern}: ${kib(d.totals.denseBytes)} dense → ${kib(d.totals.compressedBytes)} compressed (${(d.totals.ratio * 100).toFixed(1)}%)`);
  return lines.join('\n') + '\n';
}

function kib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
