/** The search's and the skeleton's seeded randomness, on the project's PRNG (core/calib/prng). */
import { type Prng, createPrng } from '../calib/prng';

export class Rng {
  readonly next: Prng;
  constructor(seed: number) {
    this.next = createPrng(seed);
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/**
 * Fills `out` with values uniform in [−a, a) where a = std·√3 (standard deviation `std`), from a
 * mulberry32 stream seeded by `seed`: inlined, a few ns per value, for hundreds of millions of weights.
 */
export function fillUniform(out: Float32Array, seed: number, std: number): void {
  const a = std * Math.sqrt(3);
  const scale = (2 * a) / 4294967296;
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) * scale - a;
  }
}
