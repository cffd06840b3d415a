import { UserError } from '../errors';
import type { LayerScan, LinearLayer } from '../onnx/linear-layers';

export interface LayerSelectionOptions {
  /** Name patterns (`*` and `?` wildcards, or plain substrings) a layer must match; default: every prunable layer inside a decoder block. */
  include?: string[];
  /** Name patterns of layers to leave dense. */
  exclude?: string[];
  /** Also prune the final vocabulary projection (excluded by default). */
  includeLmHead?: boolean;
}

export interface LayerSelection {
  layers: LinearLayer[];
  /** Sibling groups restricted to the selected layers (layers reading one activation share a permutation). */
  groups: LinearLayer[][];
  /** Layers found but not selected, and why. */
  skipped: { name: string; reason: string }[];
}

/** A pattern matches a layer when it matches its node name or its weight name (glob, else substring). */
export function matchesPattern(layer: LinearLayer, pattern: string): boolean {
  if (!/[*?]/.test(pattern)) return layer.name.includes(pattern) || layer.weight.includes(pattern);
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${escaped}$`);
  return re.test(layer.name) || re.test(layer.weight);
}

/** Chooses the layers to prune from a scan (docs/pruning-pipeline.md, "Layer selection"). */
export function selectLayers(scan: LayerScan, opts: LayerSelectionOptions, modelPath: string): LayerSelection {
  const candidates = [...scan.layers, ...(opts.includeLmHead && scan.lmHead ? [scan.lmHead] : [])];
  const skipped: LayerSelection['skipped'] = [];
  const layers = candidates.filter((layer) => {
    const isLmHead = layer === scan.lmHead;
    const reason = !isLmHead && !opts.include?.length && layer.block === null
      ? 'outside the decoder blocks (name it with --include to prune it)'
      : opts.include?.length && !isLmHead && !opts.include.some((p) => matchesPattern(layer, p))
        ? 'not matched by --include'
        : opts.exclude?.some((p) => matchesPattern(layer, p))
          ? 'matched by --exclude'
          : undefined;
    if (reason) skipped.push({ name: layer.name, reason });
    return reason === undefined;
  });
  if (layers.length === 0) {
    const why = scan.layers.length === 0 && !scan.lmHead ? 'the model has no prunable linear layers' : 'no layer is selected';
    throw new UserError(`${modelPath}: ${why}`, 'run `merino inspect` to list the layers, and check --include/--exclude');
  }
  const byInput = new Map<string, LinearLayer[]>();
  for (const layer of layers) byInput.set(layer.input, [...(byInput.get(layer.input) ?? []), layer]);
  return { layers, groups: [...byInput.values()], skipped };
}
