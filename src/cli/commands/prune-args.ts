import { executionProvidersHelp, executionProvidersSpec } from '../execution-providers';
import { UserError } from '../../core/errors';
import { parseShuffleMode } from '../../core/prune/channel-shuffle';
import { parsePattern, parseSparsity } from '../../core/prune/pattern';
import { SCORE_METHODS, type ScoreMethod } from '../../core/prune/scores';
import type { CalibrationOptions } from '../../core/pipeline/calibration';
import type { LayerSelectionOptions } from '../../core/pipeline/layer-selection';
import { APPLY_MODES, DEFAULT_BINS, DEFAULT_SAMPLES, DEFAULT_SEED, methodDefaults, type ApplyMode, type MethodOptions } from '../../core/pipeline/prune-options';
import type { OptionSpecs, ParsedArgs } from '../command';
import { flag, intOpt, stringOpt } from '../options';

/** Options shared by `merino prune` and `merino compare`. */
export const pruneOptionSpecs: OptionSpecs = {
  pattern: { type: 'string' },
  sparsity: { type: 'string' },
  calib: { type: 'string' },
  samples: { type: 'string' },
  seqlen: { type: 'string' },
  seed: { type: 'string' },
  bins: { type: 'string' },
  alpha: { type: 'string' },
  shuffle: { type: 'string' },
  apply: { type: 'string' },
  block: { type: 'string' },
  tokenizer: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'include-lm-head': { type: 'boolean' },
  eval: { type: 'string' },
  'max-windows': { type: 'string' },
  threads: { type: 'string' },
  ...executionProvidersSpec,
  batch: { type: 'string' },
  json: { type: 'boolean' },
};

export const pruneOptionsHelp = [
  '  --pattern N:M      N:M sparsity along K, 1 ≤ N < M ≤ 16 (default 2:4)',
  '  --sparsity S       unstructured per-output sparsity in (0,1) instead of N:M',
  '  --calib FILE       calibration text (or .json/.jsonl token ids); needed by wanda and esparse',
  `  --samples N        calibration windows (default ${DEFAULT_SAMPLES})`,
  '  --seqlen N         window length (default: the model context from config.json)',
  `  --seed S           sampling seed (default ${DEFAULT_SEED})`,
  `  --bins B           histogram bins for the entropy (default ${DEFAULT_BINS})`,
  '  --alpha A          E-Sparse norm weight α, a number or inf (default in docs/pruning-pipeline.md)',
  '  --shuffle MODE     none|global|local|both (default both for esparse, none otherwise)',
  '  --apply MODE       gather|fold: how channel permutations are written (default fold, gather where folding is not exact)',
  '  --block N          local shuffle block in channels (default 64)',
  '  --include PAT      only layers whose node or weight name matches (glob or substring; repeatable)',
  '  --exclude PAT      leave matching layers dense (repeatable)',
  '  --include-lm-head  also prune the vocabulary projection',
  '  --eval FILE        perplexity before and after on this text',
  '  --max-windows N    evaluate only the first N windows',
  '  --tokenizer F      tokenizer.json (default: one next to the model)',
  '  --threads N        onnxruntime intra-op threads',
  executionProvidersHelp,
  '  --batch N          calibration windows per onnxruntime run (default 1)',
  '  --json             print the report as JSON',
].join('\n');

export function parseMethod(text: string): ScoreMethod {
  const m = SCORE_METHODS.find((x) => x === text);
  if (!m) throw new UserError(`unknown method "${text}"`, `use one of ${SCORE_METHODS.join('|')}`);
  return m;
}

function parseApply(text: string): ApplyMode {
  const m = APPLY_MODES.find((x) => x === text);
  if (!m) throw new UserError(`invalid --apply "${text}"`, `use one of ${APPLY_MODES.join('|')}`);
  return m;
}

/** The pruning target and method knobs from the command line, for `method` (shuffle defaults per method). */
export function methodFromArgs(args: ParsedArgs, method: ScoreMethod, shuffleOverride?: string): MethodOptions {
  const patternText = stringOpt(args, 'pattern');
  const sparsityText = stringOpt(args, 'sparsity');
  if (patternText !== undefined && sparsityText !== undefined) throw new UserError('give either --pattern or --sparsity, not both');
  const target = sparsityText !== undefined ? { sparsity: parseSparsity(sparsityText) } : { pattern: parsePattern(patternText ?? '2:4') };
  const alphaText = stringOpt(args, 'alpha');
  const shuffle = shuffleOverride ?? stringOpt(args, 'shuffle');
  const apply = stringOpt(args, 'apply');
  const block = intOpt(args, 'block', 1);
  return methodDefaults(method, {
    ...target,
    ...(shuffle !== undefined && { shuffle: parseShuffleMode(shuffle) }),
    ...(target.sparsity !== undefined && { shuffle: 'none' as const }),
    ...(apply !== undefined && { apply: parseApply(apply) }),
    ...(alphaText !== undefined && { alpha: parseAlpha(alphaText) }),
    ...(block !== undefined && { block }),
  });
}

function parseAlpha(text: string): number {
  if (/^(inf|infinity|∞)$/i.test(text.trim())) return Infinity;
  const a = Number(text);
  if (text.trim() === '' || !Number.isFinite(a) || a < 0) throw new UserError(`--alpha must be a number ≥ 0 or inf, got "${text}"`);
  return a;
}

export function calibrationFromArgs(args: ParsedArgs): Omit<CalibrationOptions, 'threads' | 'graphOptimization'> | undefined {
  const calib = stringOpt(args, 'calib');
  if (calib === undefined) return undefined;
  return {
    calib,
    tokenizer: stringOpt(args, 'tokenizer'),
    samples: intOpt(args, 'samples', 1) ?? DEFAULT_SAMPLES,
    seqlen: intOpt(args, 'seqlen', 2),
    seed: intOpt(args, 'seed', 0) ?? DEFAULT_SEED,
    bins: intOpt(args, 'bins', 2, 1 << 20) ?? DEFAULT_BINS,
    batch: intOpt(args, 'batch', 1),
  };
}

export function selectionFromArgs(args: ParsedArgs): LayerSelectionOptions {
  const list = (name: string) => (args.values[name] as string[] | undefined) ?? [];
  return { include: list('include'), exclude: list('exclude'), includeLmHead: flag(args, 'include-lm-head') };
}

export function evaluationFromArgs(args: ParsedArgs): { text: string; tokenizer?: string; seqlen?: number; maxWindows?: number } | undefined {
  const text = stringOpt(args, 'eval');
  if (text === undefined) return undefined;
  return { text, tokenizer: stringOpt(args, 'tokenizer'), seqlen: intOpt(args, 'seqlen', 2), maxWindows: intOpt(args, 'max-windows') };
}
