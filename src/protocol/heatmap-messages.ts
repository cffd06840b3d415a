/** Messages between the entropy heatmap panel (webview/heatmap) and the extension host. */

export const HEATMAP_METRICS = ['entropy', 'rms', 'score'] as const;
export type HeatmapMetric = (typeof HEATMAP_METRICS)[number];

export const METRIC_LABELS: Record<HeatmapMetric, string> = {
  entropy: 'Entropy (nats)',
  rms: 'RMS',
  score: 'E-Sparse channel score Ĥ + α·r̂',
};

/**
 * Layers × channels, one row per activation tensor that feeds prunable layers (docs/stats-format.md).
 * Rows may differ in length; row r spans values [rowOffsets[r], rowOffsets[r + 1]) of each metric array.
 */
export interface HeatmapData {
  title: string;
  rows: string[];
  rowOffsets: Uint32Array;
  metrics: Record<HeatmapMetric, Float32Array>;
  /** The α of the E-Sparse score shown. */
  alpha: number;
}

export type HostToHeatmap = { type: 'data'; data: HeatmapData; statsFile: string } | { type: 'error'; message: string } | { type: 'loading'; message: string };

export type HeatmapToHost = { type: 'ready' } | { type: 'rendered'; ms: number } | { type: 'error'; message: string };

/** What the webview keeps with getState/setState and the serializer restores from. */
export interface HeatmapViewState {
  metric: HeatmapMetric;
  sorted: boolean;
  zoom: number;
  start: number;
  /** The stats header the panel shows (absolute path), so that a reload can reopen it. */
  statsFile?: string;
}
