/** Messages between the ONNX inspector (custom editor, webview/inspector) and the extension host. */
import type { InspectResult } from './job-messages';

/** The actions the inspector's buttons run on the model. */
export const INSPECTOR_ACTIONS = {
  'merino.prune': 'Prune…',
  'merino.compare': 'Compare methods…',
  'merino.showHeatmap': 'Entropy heatmap',
  'merino.showMasks': 'N:M masks',
} as const;
export type InspectorAction = keyof typeof INSPECTOR_ACTIONS;

export type HostToInspector = { type: 'data'; result: InspectResult } | { type: 'loading'; message: string } | { type: 'error'; message: string };

export type InspectorToHost = { type: 'ready' } | { type: 'action'; command: InspectorAction } | { type: 'rendered'; ms: number };
