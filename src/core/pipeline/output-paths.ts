import { basename, dirname, join } from 'node:path';
import { formatPattern, type NmPattern } from '../prune/pattern';

/** `model.onnx` → `model.2of4.esparse.onnx` (N:M) or `model.50pct.wanda.onnx` (unstructured), next to the input. */
export function prunedModelPath(modelPath: string, method: string, target: { pattern?: NmPattern; sparsity?: number }): string {
  const stem = basename(modelPath).replace(/\.onnx$/i, '');
  const tag = target.pattern ? `${target.pattern.n}of${target.pattern.m}` : `${Math.round((target.sparsity ?? 0) * 100)}pct`;
  return join(dirname(modelPath), `${stem}.${tag}.${method}.onnx`);
}

/** The report written next to a pruned model: `X.onnx` → `X.report.json`. */
export function reportPath(outPath: string): string {
  return outPath.replace(/\.onnx$/i, '') + '.report.json';
}

export function targetLabel(target: { pattern?: NmPattern; sparsity?: number }): string {
  return target.pattern ? formatPattern(target.pattern) : `${Math.round((target.sparsity ?? 0) * 100)}% unstructured`;
}
