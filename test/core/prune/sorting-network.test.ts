import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Comparator } from '../../../src/core/prune/sorting-network';
import { selectionNetwork, sortingNetwork } from '../../../src/core/prune/sorting-network';

/** Runs the network on 0/1 wires given as the bits of `input` (1 on the lower wire wins). */
function run(network: readonly Comparator[], m: number, input: number): number[] {
  const wires = Array.from({ length: m }, (_, i) => (input >> i) & 1);
  for (const [i, j] of network) if (wires[i] < wires[j]) [wires[i], wires[j]] = [wires[j], wires[i]];
  return wires;
}

// By the 0–1 principle a comparator network sorts every input iff it sorts every 0/1 input.
test('sorting networks sort every 0/1 input for M = 2…16, with Batcher’s comparator counts', () => {
  for (let m = 2; m <= 16; m++) {
    const network = sortingNetwork(m);
    for (const [i, j] of network) assert.ok(0 <= i && i < j && j < m);
    for (let input = 0; input < 1 << m; input++) {
      const out = run(network, m, input);
      const ones = out.reduce((a, b) => a + b, 0);
      assert.deepEqual(out, [...Array(m)].map((_, i) => (i < ones ? 1 : 0)), `m=${m} input ${input.toString(2)}`);
    }
  }
  assert.deepEqual([4, 8, 16].map((m) => sortingNetwork(m).length), [5, 19, 63]);
});

test('selection networks put the N largest on wires 0…N−1 and drop comparators', () => {
  let dropped = 0;
  for (let m = 2; m <= 12; m++) {
    for (let n = 1; n < m; n++) {
      const full = sortingNetwork(m);
      const network = selectionNetwork(full, n);
      dropped += full.length - network.length;
      for (let input = 0; input < 1 << m; input++) {
        const out = run(network, m, input);
        const ones = out.reduce((a, b) => a + b, 0);
        const top = out.slice(0, n).reduce((a, b) => a + b, 0);
        assert.equal(top, Math.min(n, ones), `m=${m} n=${n} input ${input.toString(2)}`);
      }
    }
  }
  assert.ok(dropped > 0);
});
