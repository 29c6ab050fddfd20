import * as tf from '@tensorflow/tfjs';

/**
 * Average pooling to a given output size, as PyTorch's adaptive_avg_pool2d bins it: output cell
 * i of n over an axis of length L averages inputs floor(i·L/n) … ceil((i+1)·L/n) − 1. Written as
 * one matrix per axis, so any ratio works (a 56-px map onto 16) and the gradient is matMul's.
 */
export interface AdaptivePool {
  /** The output's spatial size, [h, w]. */
  size: [number, number];
  /** [H, h] and [W, w]: column j holds the weights of output cell j. */
  rows: tf.Tensor2D;
  cols: tf.Tensor2D;
}

/** The [from, to] averaging weights of one axis. */
export function adaptivePoolWeights(from: number, to: number): Float32Array {
  const weights = new Float32Array(from * to);
  for (let j = 0; j < to; j++) {
    const start = Math.floor((j * from) / to);
    const end = Math.ceil(((j + 1) * from) / to);
    for (let i = start; i < end; i++) weights[i * to + j] = 1 / (end - start);
  }
  return weights;
}

/** The pooling from [H, W] to [h, w], or null where the sizes are already equal. Dispose with disposeAdaptivePool. */
export function adaptivePool(from: readonly number[], to: readonly number[]): AdaptivePool | null {
  const [H, W] = from as [number, number];
  const [h, w] = to as [number, number];
  if (H === h && W === w) return null;
  if (h > H || w > W) throw new Error(`adaptive pooling shrinks: ${H}×${W} cannot pool to ${h}×${w}`);
  return { size: [h, w], rows: tf.tensor2d(adaptivePoolWeights(H, h), [H, h]), cols: tf.tensor2d(adaptivePoolWeights(W, w), [W, w]) };
}

/** Where each side of a feature pair is pooled to the pair's common size (null: it has that size). */
export interface PairPooling {
  student: AdaptivePool | null;
  teacher: AdaptivePool | null;
}

export const disposeAdaptivePool = (pool: AdaptivePool | null) => pool && tf.dispose([pool.rows, pool.cols]);

/** [n, H, W, c] → [n, h, w, c]; x as it is (a map or a vector) where pool is null. */
export function applyAdaptivePool<T extends tf.Tensor>(x: T, pool: AdaptivePool | null): T {
  if (!pool) return x;
  return tf.tidy(() => {
    const [n, H, W, c] = x.shape as [number, number, number, number];
    const [h, w] = pool.size;
    // Columns first: [n, c, H, W] → [n·c·H, W] · [W, w].
    const byCols = tf.matMul(tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * c * H, W]), pool.cols);
    // Then rows: [n·c, w, H] → [n·c·w, H] · [H, h].
    const byRows = tf.matMul(tf.reshape(tf.transpose(tf.reshape(byCols, [n * c, H, w]), [0, 2, 1]), [n * c * w, H]), pool.rows);
    return tf.transpose(tf.reshape(byRows, [n, c, w, h]), [0, 3, 2, 1]) as T;
  });
}
