/**
 * Pareto front of (entropy ↑, params ↓, FLOPs ↓, latency ↓), kept incrementally: a new point enters
 * unless a member dominates it, and evicts the members it dominates.
 */
import type { ArchEstimate } from './estimate';

const objectives = (e: ArchEstimate): number[] => [-e.entropy, e.params, e.flops, e.latency?.ms ?? 0];

/** a dominates b: no worse in every objective, better in one. */
export function dominates(a: ArchEstimate, b: ArchEstimate): boolean {
  const x = objectives(a);
  const y = objectives(b);
  let better = false;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > y[i]) return false;
    if (x[i] < y[i]) better = true;
  }
  return better;
}

export class ParetoFront<T extends { estimate: ArchEstimate }> {
  private items: T[] = [];
  /** Members that cannot be told apart stop being added past this size. */
  constructor(private readonly cap = 4096) {}

  add(item: T): boolean {
    if (this.items.some((m) => dominates(m.estimate, item.estimate) || sameFigures(m.estimate, item.estimate))) return false;
    this.items = this.items.filter((m) => !dominates(item.estimate, m.estimate));
    if (this.items.length >= this.cap) return false;
    this.items.push(item);
    return true;
  }

  /** Members by entropy, highest first (ties: fewer params first). */
  members(): T[] {
    return [...this.items].sort((a, b) => b.estimate.entropy - a.estimate.entropy || a.estimate.params - b.estimate.params);
  }
}

const sameFigures = (a: ArchEstimate, b: ArchEstimate): boolean => objectives(a).every((v, i) => v === objectives(b)[i]);
