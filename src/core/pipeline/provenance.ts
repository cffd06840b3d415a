import { VERSION } from '../version';
import { formatPattern } from '../prune/pattern';
import type { CalibrationInfo } from './calibration';
import type { MethodOptions } from './prune-options';
import { DEFAULT_BINS } from './prune-options';

/** The `metadata_props` a pruned model carries (keys documented in docs/prune-report.md). */
export function provenanceMetadata(method: MethodOptions, calib: CalibrationInfo | undefined): Record<string, string> {
  return {
    'merino.tool': 'merino',
    'merino.version': VERSION,
    'merino.method': method.method,
    'merino.pattern': method.pattern ? formatPattern(method.pattern) : `unstructured:${method.sparsity}`,
    'merino.alpha': String(method.alpha),
    'merino.bins': String(calib?.bins ?? DEFAULT_BINS),
    'merino.shuffle': method.shuffle,
    'merino.apply': method.apply,
    'merino.calib_sha256': calib?.sha256 ?? '',
    'merino.samples': String(calib?.samples ?? 0),
    'merino.seqlen': String(calib?.seqlen ?? 0),
    'merino.seed': String(calib?.seed ?? ''),
  };
}
