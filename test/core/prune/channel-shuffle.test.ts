import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError } from '../../../src/core/errors';
import { parseShuffleMode, shuffleChannels } from '../../../src/core/prune/channel-shuffle';
import { channelImportance, globalShuffle, zigzagPermutation } from '../../../src/core/prune/global-shuffle';
import { localShuffle, SWAP_TOLERANCE } from '../../../src/core/prune/local-shuffle';
import { checkPermutation, identityPermutation } from '../../../src/core/prune/permutation';
import { retainedScore } from '../../../src/core/prune/retained-score';
import type { WeightMatrix } from '../../../src/core/prune/weight-matrix';
import { randomScores } from './random-matrix';

const p24 = { n: 2, m: 4 };
// One output unit, channel k scores 8 − k.
const falling: WeightMatrix = { data: Float32Array.from([8, 7, 6, 5, 4, 3, 2, 1]), K: 8, N: 1, layout: 'KN' };

test('global shuffle by hand: sort by importance, deal zig-zag into the groups', () => {
  // G = 2 groups: ranks 0,1 → g0,g1; ranks 2,3 → g1,g0; ranks 4,5 → g0,g1; ranks 6,7 → g1,g0.
  assert.deepEqual([...globalShuffle([falling], p24)], [0, 3, 4, 7, 1, 2, 5, 6]);
  // importance sums over output units and siblings; ties go to the lower k
  const a: WeightMatrix = { data: Float32Array.from([1, 0, 2, 0, 1, 1, 0, 3]), K: 4, N: 2, layout: 'KN' };
  const b: WeightMatrix = { data: Float32Array.from([1, 2, 0, 0]), K: 4, N: 1, layout: 'NK' };
  assert.deepEqual([...channelImportance([a, b])], [2, 4, 2, 3]);
  // ranked c1, c3, c0, c2 (c0 before c2 on the tie): g0 ← c1, g1 ← c3, then g1 ← c0, g0 ← c2
  assert.deepEqual([...zigzagPermutation(Float64Array.from([2, 4, 2, 3]), 2)], [1, 2, 3, 0]);
});

test('local shuffle by hand: two best swaps reach the optimum R = 26 from 22', () => {
  // Swap 1: the largest gain (3) first found is channel 0 (8) ↔ channel 5 (3): groups {7,6,5,3} {8,4,2,1}, R = 25.
  // Swap 2: gain 1, first found channel 1 (7) ↔ channel 4 (4): groups {4,6,5,3} {8,7,2,1}, R = 26.
  const result = localShuffle([falling], p24, identityPermutation(8), { block: 8 });
  assert.equal(result.swaps, 2);
  assert.deepEqual([...result.perm], [2, 3, 4, 5, 0, 1, 6, 7]);
  assert.equal(retainedScore([falling], p24, result.perm).retained, 26);
});

test('shuffleChannels reports R before and after each stage and keeps only stages that raise it', () => {
  const both = shuffleChannels([falling], p24, { mode: 'both', block: 8 });
  assert.deepEqual(
    both.stages.map(({ name, before, after, applied, swaps }) => ({ name, before, after, applied, swaps })),
    [
      { name: 'global', before: 22, after: 26, applied: true, swaps: undefined },
      { name: 'local', before: 26, after: 26, applied: false, swaps: 0 },
    ],
  );
  assert.deepEqual([...both.perm], [0, 3, 4, 7, 1, 2, 5, 6]);
  assert.equal(both.total, 36);
  const local = shuffleChannels([falling], p24, { mode: 'local', block: 8 });
  assert.deepEqual([...local.perm], [2, 3, 4, 5, 0, 1, 6, 7]);
  assert.deepEqual(shuffleChannels([falling], p24, { mode: 'none' }).stages, []);
});

test('a global shuffle that would lower R is not applied', () => {
  let lowered = 0;
  for (let seed = 0; seed < 40; seed++) {
    const s = randomScores(8, 2, 'KN', seed);
    const result = shuffleChannels([s], p24, { mode: 'global' });
    const [stage] = result.stages;
    assert.equal(stage.applied, stage.after > stage.before);
    if (stage.after < stage.before) {
      lowered++;
      assert.deepEqual([...result.perm], [...identityPermutation(8)]);
    }
  }
  assert.ok(lowered > 0, 'the seeds include a case where zig-zag lowers R');
});

test('the local shuffle ends where no single swap inside a block raises R (checked by brute force)', () => {
  for (const [seed, pattern] of [p24, p24, p24, { n: 3, m: 8 }, { n: 1, m: 2 }, { n: 5, m: 16 }].entries()) {
    const block = 3 * pattern.m;
    const K = 2 * block;
    const s = [randomScores(K, 5 + seed, seed % 2 ? 'KN' : 'NK', seed)];
    const { perm } = localShuffle(s, pattern, globalShuffle(s, pattern), { block });
    checkPermutation(perm, K);
    const { retained, total } = retainedScore(s, pattern, perm);
    for (let a = 0; a < K; a++) {
      for (let b = a + 1; b < K; b++) {
        const sameBlock = Math.floor(a / block) === Math.floor(b / block);
        if (!sameBlock || Math.floor(a / pattern.m) === Math.floor(b / pattern.m)) continue;
        const swapped = perm.slice();
        [swapped[a], swapped[b]] = [perm[b], perm[a]];
        const gain = retainedScore(s, pattern, swapped).retained - retained;
        assert.ok(gain <= SWAP_TOLERANCE * total, `seed ${seed}: swap ${a}↔${b} gains ${gain}`);
      }
    }
  }
});

test('random layers: every mode yields a permutation that never lowers R', () => {
  for (const [i, pattern] of [p24, { n: 4, m: 8 }, { n: 1, m: 16 }].entries()) {
    const K = 128;
    const s = [randomScores(K, 24, i % 2 ? 'KN' : 'NK', 40 + i)];
    const base = retainedScore(s, pattern).retained;
    for (const mode of ['global', 'local', 'both'] as const) {
      const result = shuffleChannels(s, pattern, { mode, block: 32 });
      checkPermutation(result.perm, K);
      const r = retainedScore(s, pattern, result.perm).retained;
      assert.ok(r >= base, `${mode}`);
      for (const stage of result.stages) assert.ok(!stage.applied || stage.after > stage.before);
      // the report ends with R of the permutation returned (the local stage's R comes from its search)
      const reported = result.stages.reduce((last, stage) => (stage.applied ? stage.after : last), result.stages[0].before);
      assert.ok(Math.abs(r - reported) <= 1e-6 * r, `${mode}: reported ${reported}, R ${r}`);
      assert.ok(Math.abs(result.total - retainedScore(s, pattern).total) <= 1e-6 * result.total);
      if (mode === 'both') assert.ok(r > base, 'on random scores the shuffle finds a gain');
    }
  }
});

test('siblings share one permutation, found on their scores taken together', () => {
  // q/k/v-like siblings in different layouts, and the same scores as one [K, ΣN] matrix.
  const K = 64;
  const a = randomScores(K, 6, 'KN', 1);
  const b = randomScores(K, 4, 'NK', 2);
  const joined = new Float32Array(K * 10);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < 6; n++) joined[k * 10 + n] = a.data[k * 6 + n];
    for (let n = 0; n < 4; n++) joined[k * 10 + 6 + n] = b.data[n * K + k];
  }
  const together = shuffleChannels([a, b], p24, { mode: 'both', block: 16 });
  const single = shuffleChannels([{ data: joined, K, N: 10, layout: 'KN' }], p24, { mode: 'both', block: 16 });
  assert.deepEqual([...together.perm], [...single.perm]);
  assert.ok(together.stages.some((s) => s.applied));
  assert.throws(() => shuffleChannels([a, randomScores(32, 4, 'KN', 3)], p24, { mode: 'global' }), /siblings must share K/);
});

test('K not a multiple of M: identity and the reason; cancellation; modes and blocks are checked', () => {
  const odd = randomScores(6, 3, 'KN', 1);
  const result = shuffleChannels([odd], p24, { mode: 'both' });
  assert.equal(result.denseReason, 'K=6 is not a multiple of M=4');
  assert.deepEqual([...result.perm], [0, 1, 2, 3, 4, 5]);
  const controller = new AbortController();
  controller.abort();
  assert.throws(() => shuffleChannels([falling], p24, { mode: 'both', signal: controller.signal }), CancelledError);
  assert.throws(() => localShuffle([falling], p24, identityPermutation(8), { block: 6 }), /block 6 must be a positive multiple of M=4/);
  assert.equal(parseShuffleMode('both'), 'both');
  assert.throws(() => parseShuffleMode('all'), /invalid shuffle "all".*none\|global\|local\|both/);
});
