/** Messages between the prune report panel (webview/report) and the extension host. */
import type { PruneReport } from '../core/pipeline/prune-model';

export type HostToReport = { type: 'data'; report: PruneReport; file: string } | { type: 'error'; message: string };

export type ReportToHost = { type: 'ready' } | { type: 'open'; file: string } | { type: 'rendered'; ms: number };

export interface ReportViewState {
  file?: string;
}
