/**
 * ln p(target) under softmax of one row of logits (`logits[offset .. offset+V)`), computed in
 * float64 the numerically stable way: x_t − m − ln Σ_v exp(x_v − m), m = max_v x_v.
 */
export function logProbability(logits: Float32Array, offset: number, V: number, target: number): number {
  let m = -Infinity;
  for (let v = offset, end = offset + V; v < end; v++) if (logits[v]! > m) m = logits[v]!;
  let sum = 0;
  for (let v = offset, end = offset + V; v < end; v++) sum += Math.exp(logits[v]! - m);
  return logits[offset + target]! - m - Math.log(sum);
}
