/** Messages between the method comparison panel (webview/compare) and the extension host. */
import type { CompareResult } from '../core/pipeline/compare-methods';

export type HostToCompare = { type: 'data'; result: CompareResult } | { type: 'error'; message: string };

export type CompareToHost = { type: 'ready' } | { type: 'rendered'; ms: number; rows: number };

/** The result itself is the state: it is small (one row per method) and has no file to reread. */
export interface CompareViewState {
  result?: CompareResult;
}
