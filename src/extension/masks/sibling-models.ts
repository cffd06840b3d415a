import { readdir } from 'node:fs/promises';
import * as path from 'node:path';

/** `model.2of4.esparse.onnx` (or `model.50pct.wanda.onnx`) → `model`; any other `X.onnx` → `X`. */
export function baseStem(file: string): string {
  const name = path.basename(file).replace(/\.onnx$/i, '');
  return /^(.+)\.(\d+of\d+|\d+pct)\.[^.]+$/.exec(name)?.[1] ?? name;
}

/**
 * The pruned models a mask can be compared with: `base.NofM.method.onnx` / `base.Ppct.method.onnx` among
 * `names` (a folder's entries) with the same base name, other than `model` itself, sorted.
 */
export function comparableNames(model: string, names: readonly string[]): string[] {
  const base = baseStem(model);
  const self = path.basename(model);
  return names
    .filter((n) => n !== self && /\.onnx$/i.test(n) && !n.includes('.tmp-') && baseStem(n) === base && n.replace(/\.onnx$/i, '') !== base)
    .sort();
}

/** `comparableNames` of the model's folder, as absolute paths ([] when the folder cannot be read). */
export async function comparableModels(model: string): Promise<string[]> {
  const dir = path.dirname(model);
  const names = await readdir(dir).catch(() => [] as string[]);
  return comparableNames(model, names).map((n) => path.join(dir, n));
}
