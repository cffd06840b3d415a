/** Messages between the search results panel (webview/results) and the extension host. */
import type { ResultsFile } from '../core/merino/results-file';

export type HostToResults = { type: 'data'; results: ResultsFile; file: string; /** describeArch of each top entry */ descriptions: string[] } | { type: 'error'; message: string };

export type ResultsToHost = { type: 'ready' } | { type: 'export'; rank: number; format: 'hf' | 'onnx' } | { type: 'openJson' } | { type: 'rendered'; ms: number };

export interface ResultsViewState {
  file?: string;
  axis?: 'params' | 'flops' | 'latency';
  sortKey?: string;
  sortDescending?: boolean;
}
