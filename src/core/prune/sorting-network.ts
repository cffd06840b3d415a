// Sorting networks for the SIMD kernels: a fixed list of compare-exchanges sorts M values per lane
// with no data-dependent branch (branchy selection over random scores costs 50–150 ns per element on
// this project's VM; a network in WebAssembly SIMD ~1 ns).

/** A compare-exchange of wires i < j: afterwards wire i holds the larger value, wire j the smaller. */
export type Comparator = readonly [number, number];

/**
 * Batcher's odd–even merge sort on m wires, descending (wire 0 ends with the largest): the network
 * for the next power of two with every comparator that touches a wire ≥ m dropped. That is exact:
 * padding wires hold −∞, which a comparator only ever moves to its higher wire, so they never reach a
 * wire < m. 5 comparators for m = 4, 19 for 8, 63 for 16 (odd–even transposition: 6, 28, 120).
 */
export function sortingNetwork(m: number): Comparator[] {
  let size = 1;
  while (size < m) size *= 2;
  const network: Comparator[] = [];
  for (let p = 1; p < size; p *= 2) {
    for (let k = p; k >= 1; k /= 2) {
      for (let j = k % p; j + k < size; j += 2 * k) {
        for (let i = 0; i < Math.min(k, size - j - k); i++) {
          const [a, b] = [i + j, i + j + k];
          if (Math.floor(a / (2 * p)) === Math.floor(b / (2 * p)) && b < m) network.push([a, b]);
        }
      }
    }
  }
  return network;
}

/**
 * The comparators of `network` needed for wires [0, n) to end up holding the n largest values (in
 * any order), for kernels that only sum them. Walking backwards, a comparator whose wires lie on the
 * same side of n and are not read by any later kept comparator only reorders values within one side,
 * so it is dropped.
 */
export function selectionNetwork(network: readonly Comparator[], n: number): Comparator[] {
  const read = new Set<number>();
  const kept: Comparator[] = [];
  for (let c = network.length - 1; c >= 0; c--) {
    const [i, j] = network[c];
    if (i < n === j < n && !read.has(i) && !read.has(j)) continue;
    kept.push(network[c]);
    read.add(i).add(j);
  }
  return kept.reverse();
}
