/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on
 * every platform, which makes calibration sampling reproducible. Not for cryptography.
 */
export type Prng = () => number;

/** Returns a generator of floats uniform in [0, 1) seeded by the integer `seed`. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n) drawn from `rand`. */
export function randomInt(rand: Prng, n: number): number {
  return Math.floor(rand() * n);
}
