import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPrng } from '../../../src/core/calib/prng';
import { ShuffleKernels, SUM_ROWS } from '../../../src/core/prune/shuffle-kernels';

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
    // Σ max(row b, threshold of a) for 1 to SUM_ROWS threshold rows at once
    // listed rows b, in any order; an odd count too (the kernel takes them in pairs)
    const all = Int32Array.from({ length: block }, (_, b) => b);
    const someReversed = Int32Array.from({ length: block - 1 }, (_, p) => block - 1 - p);
    for (const [a, rows] of [[[3], all], [[0, block - 1, 2, 1].slice(0, SUM_ROWS), someReversed], [[1, 2], all]] as const) {
      const sums = kernels.sums(a, rows);
      for (const [p, b] of rows.entries()) {
        a.forEach((row, i) => {
          let expected = 0;
          for (let j = 0; j < stride; j++) expected += Math.max(kernels.rows[b * stride + j], kernels.threshold[row * stride + j]);
          assert.ok(Math.abs(sums[SUM_ROWS * p + i] - expected) < 1e-5, `sum of row ${b} against threshold ${row}`);
        });
      }
    }
    // R and the total of the block grouped as [group, the other rows]
    const others = Int32Array.from({ length: pattern.m }, (_, i) => 2 * i);
    let [retained, total] = [0, 0];
    for (const rows of [group, others]) {
      for (let j = 0; j < width; j++) {
        const values = [...rows].map((r) => kernels.rows[r * stride + j]).sort((x, y) => y - x);
        retained += values.slice(0, pattern.n).reduce((x, y) => x + y, 0);
        total += values.reduce((x, y) => x + y, 0);
      }
    }
    const r = kernels.retained(Int32Array.from([...group, ...others]));
    assert.ok(Math.abs(r.retained - retained) < 1e-5 && Math.abs(r.total - total) < 1e-5, `R ${r.retained} vs ${retained}`);
  });
}

test('shuffle kernels need a stride that is a multiple of 8', () => {
  assert.throws(() => new ShuffleKernels(4, 12, { n: 2, m: 4 }), /stride 12 is not a multiple of 8/);
});
