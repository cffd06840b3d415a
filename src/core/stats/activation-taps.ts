import type { LayerScan } from '../onnx/linear-layers';

/** An activation tensor that feeds prunable layers: its K channels are the layers' reduction axis. */
export interface ActivationTap {
  tensor: string;
  channels: number;
  /** Names of the layers reading it (siblings share one tap). */
  layers: string[];
}

/** One tap per distinct layer input, in graph order. */
export function activationTaps(scan: LayerScan): ActivationTap[] {
  const taps = new Map<string, ActivationTap>();
  for (const layer of scan.layers) {
    const tap = taps.get(layer.input);
    if (tap) tap.layers.push(layer.name);
    else taps.set(layer.input, { tensor: layer.input, channels: layer.K, layers: [layer.name] });
  }
  return [...taps.values()];
}
