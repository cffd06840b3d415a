/** Messages between the N:M mask panel (webview/masks) and the extension host. */
import type { MaskResult } from './job-messages';

export type HostToMasks =
  | { type: 'data'; mask: MaskResult; /** M of the N:M pattern, for the group grid. */ groupSize: number }
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string };

export type MasksToHost = { type: 'ready' } | { type: 'layer'; name: string } | { type: 'rendered'; ms: number } | { type: 'error'; message: string };

export interface MaskViewState {
  model?: string;
  layer?: string;
  /** Screen pixels per weight (< 1: a pixel shows the kept fraction of the weights it covers). */
  scale?: number;
  x0?: number;
  y0?: number;
}
