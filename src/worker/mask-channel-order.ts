// A layer's channel permutations from its prune report, and N:M mask bits moved between the stored and the
// original channel order. Bits are in (n, k) order: bit n·K + k, LSB first (MaskResult in job-messages.ts).
import { basename } from 'node:path';
import type { PruneReport } from '../core/pipeline/prune-model';
import { invertPermutation } from '../core/prune/permutation';
import type { MaskChannelOrder, MaskOrder } from '../protocol/job-messages';

interface LayerShape {
  name: string;
  K: number;
  N: number;
  /** Zero weights of the layer in the model, to check that the report describes this model. */
  zeros: number;
}

/** A permutation of 0..length−1 as Int32Array, or undefined when `order` is not one. */
function asPermutation(order: unknown, length: number): Int32Array | undefined {
  if (!Array.isArray(order) || order.length !== length) return undefined;
  const perm = Int32Array.from(order as number[]);
  const seen = new Uint8Array(length);
  for (const c of perm) {
    if (!(c >= 0 && c < length) || seen[c]) return undefined;
    seen[c] = 1;
  }
  return perm;
}

/**
 * The layer's permutations as the report records them: along K, its sibling group's `permutation.order`;
 * along N, the order of any group whose permutation was folded into this layer's output units (fold permutes
 * a producer's outputs exactly as its consumers' inputs). A report that contradicts the model is not used.
 */
export function channelOrderFromReport(report: PruneReport, reportFile: string, layer: LayerShape): MaskChannelOrder {
  const file = basename(reportFile);
  const entry = report.layers.find((l) => l.name === layer.name);
  const ignored = (why: string): MaskChannelOrder => ({ report: null, note: `${file} ${why}: it is ignored and the mask is shown in stored order` });
  if (entry && (entry.K !== layer.K || entry.N !== layer.N)) return ignored(`gives ${entry.K}×${entry.N} for ${layer.name}, the model has ${layer.K}×${layer.N}`);
  if (entry && entry.zeros !== layer.zeros) return ignored(`counts ${entry.zeros} zeros in ${layer.name}, the model has ${layer.zeros} (the report is from another run)`);
  const out: MaskChannelOrder = { report: reportFile, note: '' };
  const group = entry ? report.groups[entry.group] : undefined;
  if (group?.permutation) {
    const k = asPermutation(group.permutation.order, layer.K);
    if (!k) return ignored(`has no valid permutation order of ${layer.K} channels for ${layer.name} (written by an older merino?)`);
    Object.assign(out, { k, apply: group.permutation.apply });
  }
  const folder = report.groups.find((g) => g.permutation?.apply === 'fold' && g.permutation.foldedInto?.includes(layer.name));
  if (folder) {
    const n = asPermutation(folder.permutation!.order, layer.N);
    if (!n) return ignored(`has no valid permutation order of ${layer.N} outputs folded into ${layer.name}`);
    Object.assign(out, { n, nFrom: folder.layers.join(', ') });
  }
  out.note = describe(out, entry ? report.options.shuffle : undefined, file);
  return out;
}

function describe(o: MaskChannelOrder, shuffle: string | undefined, file: string): string {
  const parts: string[] = [];
  if (o.k) parts.push(`input channels shuffled (${o.apply === 'fold' ? 'folded into the producing layers' : 'a Gather on the input'})`);
  if (o.n) parts.push(`output units permuted by the shuffle of ${o.nFrom}, folded into this layer`);
  if (parts.length) return `${file}: ${parts.join('; ')}.`;
  if (shuffle === undefined) return `${file} does not list this layer: no permutation, stored order = original order.`;
  return shuffle === 'none' ? `${file}: pruned without channel shuffle; stored order = original order.` : `${file}: no shuffle stage raised the retained score of this layer's group, so no permutation was applied; stored order = original order.`;
}

/** The order to use when the model has no usable report: none (stored = original as far as anyone knows). */
export function unknownChannelOrder(note: string): MaskChannelOrder {
  return { report: null, note };
}

const identity = (length: number) => Int32Array.from({ length }, (_, i) => i);

/**
 * Moves mask bits between orders. To `original`: stored position (i, j) goes to (n[i], k[j]) (a missing
 * axis permutation is the identity). To `stored`: the inverse, stored (i, j) takes original (n[i], k[j]).
 */
export function reorderMask(bits: Uint8Array, K: number, N: number, perms: Pick<MaskChannelOrder, 'k' | 'n'>, to: MaskOrder): Uint8Array {
  if (!perms.k && !perms.n) return bits;
  const k = perms.k ?? identity(K);
  const n = perms.n ?? identity(N);
  // Written as a gather, out[r, c] = bits[rows[r], cols[c]], one output byte at a time.
  const [rows, cols] = to === 'stored' ? [n, k] : [invertPermutation(n), invertPermutation(k)];
  const out = new Uint8Array(bits.length);
  let p = 0;
  let acc = 0;
  for (let r = 0; r < N; r++) {
    const from = rows[r]! * K;
    for (let c = 0; c < K; c++, p++) {
      const q = from + cols[c]!;
      acc |= ((bits[q >> 3]! >> (q & 7)) & 1) << (p & 7);
      if ((p & 7) === 7) {
        out[p >> 3] = acc;
        acc = 0;
      }
    }
  }
  if (p & 7) out[p >> 3] = acc;
  return out;
}
