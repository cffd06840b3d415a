/** Figures of a whole design at once, for hovers on budgets: its arch and its search space's extremes. */
import type { MerinoConfig } from '../config/merino-config';
import type { Arch } from './architecture';
import { type ArchEstimate, estimateArch } from './estimate';
import { spaceExtremes } from './search-space';

export interface DesignSummary {
  arch?: { arch: Arch; estimate: ArchEstimate };
  /** Undefined when the search space holds no architecture. */
  smallest?: { arch: Arch; estimate: ArchEstimate };
  largest?: { arch: Arch; estimate: ArchEstimate };
}

export function summarizeDesign(config: MerinoConfig): DesignSummary {
  const ext = spaceExtremes(config.searchSpace);
  const of = (arch: Arch) => ({ arch, estimate: estimateArch(arch, config) });
  return {
    arch: config.arch && of(config.arch),
    smallest: ext && of(ext.smallest),
    largest: ext && of(ext.largest),
  };
}
