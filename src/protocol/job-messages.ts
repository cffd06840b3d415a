/**
 * Messages between the extension host and the job worker (a `child_process.fork` of dist/worker.js).
 * One worker runs one job: the host sends `start`, the worker streams `progress` and `log`, then ends
 * with exactly one `result` or `error` and exits. `cancel` asks the worker to abort its job; the host
 * kills the process if it has not exited within a grace period (onnxruntime's `run` cannot be interrupted).
 */

import type { ModelSummary } from '../core/onnx/model-summary';

/** A job the worker can run. `cli` runs one `merino` CLI command in-process (core bundled, no shell). */
export interface CliJob {
  kind: 'cli';
  /** Arguments after `merino`, e.g. `['search', 'tiny.merino.json', '--json']`. */
  args: string[];
  /** Working directory for relative paths. */
  cwd?: string;
}

/** Reads one layer's weight and returns which weights are non-zero (the N:M mask once pruned). */
export interface MaskJob {
  kind: 'masks';
  model: string;
  /** Layer (node) name; the first prunable layer when absent. */
  layer?: string;
  /** Column/row order of the returned bits (default `stored`); `original` undoes the shuffle recorded in the model's prune report. */
  order?: MaskOrder;
  /** A second pruned model whose mask of the same layer is compared with this one (in the original channel order). */
  compareWith?: string;
}

/** `stored`: positions as stored in the model (N:M groups contiguous along K); `original`: the channel order before the shuffle. */
export type MaskOrder = 'stored' | 'original';

/** `merino inspect`'s summary plus the model's metadata_props (MeRino writes its provenance there). */
export interface InspectJob {
  kind: 'inspect';
  model: string;
}

export interface InspectResult {
  summary: ModelSummary;
  metadata: Record<string, string>;
  /** Size of the .onnx file in bytes. */
  fileBytes: number;
}

export type JobSpec = CliJob | MaskJob | InspectJob;

/** One prunable layer as listed in the mask view. */
export interface MaskLayerInfo {
  name: string;
  K: number;
  N: number;
  layout: 'KN' | 'NK';
}

/**
 * A layer's mask in the view's orientation: row n = output unit, column k along the reduction axis K (the axis
 * N:M groups run along), bit (n·K + k) of `bits` (LSB first) set when W[k, n] ≠ 0, whatever the stored layout.
 */
export interface MaskResult {
  model: string;
  layers: MaskLayerInfo[];
  layer: MaskLayerInfo;
  bits: Uint8Array;
  /** Fraction of zero weights. */
  sparsity: number;
  /** Order of `bits` (and of `compare.bits`): `original` only when asked for. */
  order: MaskOrder;
  /** How this layer's stored order relates to the original one, from the model's prune report. */
  channels: MaskChannelOrder;
  /** The pattern from the prune report (`"2:4"`), when there is one. */
  pattern?: string;
  /** The comparison with `MaskJob.compareWith`, when asked for. */
  compare?: MaskComparison;
}

/**
 * A layer's channel permutations as read from `X.report.json` next to the model. `k[j]` is the original input
 * channel stored at column j (the report's `order`); `n[i]` the original output unit stored at row i (set when
 * another group's permutation was folded into this layer's output units). Absent: that axis is not permuted.
 */
export interface MaskChannelOrder {
  /** The report read, or null when there is none (or it could not be used: see `note`). */
  report: string | null;
  k?: Int32Array;
  n?: Int32Array;
  /** How the K permutation is written into the model (`gather`: a Gather on the input; `fold`: into the producers). */
  apply?: 'gather' | 'fold';
  /** The layer whose input permutation was folded into this layer's output units (the reason for `n`). */
  nFrom?: string;
  /** One line for the panel: why there is no permutation, or what the report says. */
  note: string;
}

/** Kept positions of one layer in two models A (this one) and B, position by position, in the original channel order. */
export interface MaskComparison {
  model: string;
  /** B's kept positions in the order of `MaskResult.bits`; absent with `error`. */
  bits?: Uint8Array;
  /** Positions kept in both, only in A, only in B, in neither. */
  counts?: { both: number; onlyA: number; onlyB: number; neither: number };
  /** |A ∧ B| / |A| (1 when A keeps nothing). */
  overlap?: number;
  /** B's channel order (its own report). */
  channels?: MaskChannelOrder;
  /** Why B could not be compared (unreadable file, layer missing, other shape); A is still shown. */
  error?: string;
}

/** What each job kind resolves with. */
export type JobResult<J extends JobSpec> = J extends CliJob ? CliResult : J extends MaskJob ? MaskResult : InspectResult;

export interface StartMessage {
  type: 'start';
  job: JobSpec;
}

export interface CancelMessage {
  type: 'cancel';
}

export type HostToWorker = StartMessage | CancelMessage;

/** `done` of `total` units of `stage`, as core's `Progress`. */
export interface ProgressMessage {
  type: 'progress';
  stage: string;
  done: number;
  total: number;
  detail?: string;
}

/** A line for the output channel (warnings, the CLI's human-readable text). */
export interface LogMessage {
  type: 'log';
  text: string;
}

export interface CliResult {
  /** The CLI's exit code (0 = success). */
  exitCode: number;
  /** Everything the command wrote to stdout (JSON when `--json` was given). */
  stdout: string;
}

export interface ResultMessage {
  type: 'result';
  result: CliResult | MaskResult | InspectResult;
}

export interface ErrorMessage {
  type: 'error';
  /** One line the user can act on (the engine's UserError message when there is one). */
  message: string;
  cancelled?: boolean;
}

export type WorkerToHost = ProgressMessage | LogMessage | ResultMessage | ErrorMessage;
