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

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
}
