import type { LinearLayer } from '../onnx/linear-layers';
import { int64Tensor, makeNode } from '../onnx/proto-build';
import type { GraphEditor } from './graph-editor';

/**
 * Writes a channel permutation π of a shared activation X as one `Gather(X, π, axis=-1)` read by all
 * the sibling layers (whose weights are stored permuted along K): Σ_k' X[π k'] · W[π k'] = X · W.
 */
export function insertGather(editor: GraphEditor, siblings: readonly LinearLayer[], perm: Int32Array, tag: string): void {
  const input = siblings[0]!.input;
  const indices = `merino.perm.${tag}`;
  const permuted = `${input}/merino_permuted`;
  const first = Math.min(...siblings.map((l) => l.nodeIndex));
  editor.addInitializer(int64Tensor(indices, [perm.length], perm));
  editor.insertBefore(first, makeNode('Gather', [input, indices], [permuted], `/merino/permute_${tag}/Gather`, { axis: -1 }));
  for (const layer of siblings) editor.renameInput(layer.nodeIndex, input, permuted);
}
