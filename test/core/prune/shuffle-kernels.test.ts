import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '../../../src/core/calib/prng';
import { ShuffleKernels } from '../../../src/core/prune/shuffle-kernels';

// The SIMD kernels against plain loops, for several patterns (each compiles its own sorting network).
for (const pattern of [{ n: 2, m: 4 }, { n: 1, m: 2 }, { n: 3, m: 8 }, { n: 15, m: 16 }, { n: 5, m: 16 }]) {
  test(`shuffle kernels ${pattern.n}:${pattern.m} match a reference`, () => {
    const random = createPrng(pattern.m * 31 + pattern.n);
    const width = 13; // not a multiple of 8: padding columns stay 0
    const block = 2 * pattern.m;
    const stride = 16;
    const kernels = new ShuffleKernels(block, stride, pattern);
    for (let r = 0; r < block; r++) for (let j = 0; j < width; j++) kernels.rows[r * stride + j] = Math.round(random() * 8) / 4;
    const group = Int32Array.from({ length: pattern.m }, (_, i) => 2 * i + 1); // rows 1, 3, 5, …
    const constants = [...kernels.refresh(group)];
    const expectedConstants = new Array<number>(pattern.m).fill(0);
    for (let j = 0; j < width; j++) {
      const values = [...group].map((r) => kernels.rows[r * stride + j]).sort((a, b) => b - a);
      const [vN, vNext] = [values[pattern.n - 1], values[pattern.n]];
      group.forEach((r, i) => {
        const x = kernels.rows[r * stride + j];
        assert.equal(kernels.threshold[r * stride + j], x > vNext ? vNext : vN, `row ${r} column ${j}`);
        expectedConstants[i] -= x > vNext ? x : vN;
      });
    }
    constants.forEach((c, i) => assert.ok(Math.abs(c - expectedConstants[i]) < 1e-5, `constant ${i}: ${c} vs ${expectedConstants[i]}`));
    const distances = kernels.distances(3, block);
    for (let b = 0; b < block; b++) {
      let expected = 0;
      for (let j = 0; j < stride; j++) expected += Math.abs(kernels.rows[b * stride + j] - kernels.threshold[3 * stride + j]);
      assert.ok(Math.abs(distances[b] - expected) < 1e-5, `distance to row ${b}`);
    }
  });
}

test('shuffle kernels need a stride that is a multiple of 8', () => {
  assert.throws(() => new ShuffleKernels(4, 12, { n: 2, m: 4 }), /stride 12 is not a multiple of 8/);
});
