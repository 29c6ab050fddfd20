import * as tf from '@tensorflow/tfjs';
import type { AdaptivePool } from './adaptive-avg-pool';

/** The [from, to] matrix that picks input floor(j · from / to) for output j: PyTorch's F.interpolate(mode='nearest'). */
function nearestSelection(from: number, to: number): tf.Tensor2D {
  const picks = new Float32Array(from * to);
  const scale = from / to;
  for (let j = 0; j < to; j++) picks[Math.min(Math.floor(j * scale), from - 1) * to + j] = 1;
  return tf.tensor2d(picks, [from, to]);
}

/**
 * Nearest resizing from [H, W] to [h, w], as PyTorch's F.interpolate(mode='nearest'), as a
 * product with a selection matrix per axis (the adaptive pool's machinery): tfjs's
 * resizeNearestNeighbor has the values but not the gradient when it enlarges, and a gather's
 * gradient has no wasm kernel. Null where the sizes agree; apply with applyAdaptivePool, dispose
 * with disposeAdaptivePool.
 */
export function nearestResize([H, W]: readonly [number, number], [h, w]: readonly [number, number]): AdaptivePool | null {
  if (H === h && W === w) return null;
  return { size: [h, w], rows: nearestSelection(H, h), cols: nearestSelection(W, w) };
}
