import { UserError } from '../errors';

/**
 * How a linear layer's weight is stored. 'KN': [K, N] row-major, W[k*N + n] (MatMul, Gemm transB=0);
 * 'NK': [N, K], W[n*K + k] (Gemm transB=1). K is the reduction axis (input channels), N the output units.
 */
export type WeightLayout = 'KN' | 'NK';

/** A weight, or a score / mask matrix of the same shape, in its stored layout. */
export interface WeightMatrix {
  data: Float32Array;
  K: number;
  N: number;
  layout: WeightLayout;
}

/** The shape part of a matrix (what index arithmetic needs). */
export type MatrixShape = Pick<WeightMatrix, 'K' | 'N' | 'layout'>;

/** Element (k, n) sits at `k * kStride + n * nStride` in the stored data. */
export function strides(shape: MatrixShape): { kStride: number; nStride: number } {
  return shape.layout === 'KN' ? { kStride: shape.N, nStride: 1 } : { kStride: 1, nStride: shape.K };
}

/** The same shape and layout holding other values (e.g. the scores of a weight). */
export function withData(shape: MatrixShape, data: Float32Array): WeightMatrix {
  return { data, K: shape.K, N: shape.N, layout: shape.layout };
}

/** Checks that a matrix's data length matches its shape; `name` identifies the layer in the message. */
export function checkMatrix(m: MatrixShape & { data: ArrayLike<number> }, name: string): void {
  const ok = Number.isInteger(m.K) && Number.isInteger(m.N) && m.K > 0 && m.N > 0;
  if (!ok || m.data.length !== m.K * m.N) {
    throw new UserError(`${name}: weight of ${m.data.length} values does not match shape K=${m.K}, N=${m.N}`);
  }
}
