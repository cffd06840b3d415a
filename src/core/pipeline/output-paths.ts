import { rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors';
import { formatPattern, type NmPattern } from '../prune/pattern';
import { defaultShuffle, type MethodOptions } from './prune-options';

/**
 * `model.onnx` → `model.2of4.esparse.onnx` (N:M) or `model.50pct.wanda.onnx` (unstructured), next to
 * the input; a shuffle other than the method's default is named too (`model.2of4.esparse-none.onnx`,
 * `model.2of4.wanda-both.onnx`), so that variants do not overwrite each other.
 */
export function prunedModelPath(modelPath: string, method: MethodOptions): string {
  const stem = basename(modelPath).replace(/\.onnx$/i, '');
  const tag = method.pattern ? `${method.pattern.n}of${method.pattern.m}` : `${Math.round((method.sparsity ?? 0) * 100)}pct`;
  const variant = method.pattern && method.shuffle !== defaultShuffle(method.method) ? `${method.method}-${method.shuffle}` : method.method;
  return join(dirname(modelPath), `${stem}.${tag}.${variant}.onnx`);
}

/** The report written next to a pruned model: `X.onnx` → `X.report.json`. */
export function reportPath(outPath: string): string {
  return outPath.replace(/\.onnx$/i, '') + '.report.json';
}

export function targetLabel(target: { pattern?: NmPattern; sparsity?: number }): string {
  return target.pattern ? formatPattern(target.pattern) : `${Math.round((target.sparsity ?? 0) * 100)}% unstructured`;
}

/** Fails early, before any long work, when `outPath`'s folder does not exist or cannot be written. */
export async function checkWritable(outPath: string): Promise<void> {
  const probe = `${outPath}.probe-${process.pid}`;
  try {
    await writeFile(probe, '', { flag: 'wx' });
    await rm(probe, { force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'the folder is not writable' : (e as Error).message;
    throw new UserError(`cannot write ${outPath}: ${why}`, 'choose another --out');
  }
}
