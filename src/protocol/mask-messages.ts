/** Messages between the N:M mask panel (webview/masks) and the extension host. */
import type { MaskOrder, MaskResult } from './job-messages';

/** What the panel shows: a layer, in which channel order, and which second model it is compared with. */
export interface MaskView {
  layer?: string;
  order?: MaskOrder;
  /** A second pruned model (absolute path) whose mask of the same layer is overlaid; absent: none. */
  compareWith?: string;
}

export type HostToMasks =
  | {
      type: 'data';
      mask: MaskResult;
      /** M of the N:M pattern, for the group grid. */
      groupSize: number;
      /** Pruned siblings of the model (`base.NofM.method.onnx` in its folder) offered by "Compare with". */
      candidates: string[];
    }
  | { type: 'loading'; message: string }
  | { type: 'error'; message: string }
  /** Switch the view as if the user had chosen it (the host after a file dialog; tests). */
  | { type: 'setView'; view: MaskView };

export type MasksToHost =
  | { type: 'ready' }
  /** Load this view (the webview's controls). */
  | { type: 'load'; view: MaskView }
  /** Let the user choose any .onnx to compare with (file dialog). */
  | { type: 'pickCompare' }
  /** Drawn: paint time, and what was drawn (for the log and the tests). */
  | { type: 'rendered'; ms: number; order: MaskOrder; compareWith?: string; overlap?: number; compareError?: string }
  | { type: 'error'; message: string };

export interface MaskViewState extends MaskView {
  model?: string;
  /** Screen pixels per weight (< 1: a pixel shows the kept fraction of the weights it covers). */
  scale?: number;
  x0?: number;
  y0?: number;
}
