import * as tf from '@tensorflow/tfjs';
import { adaptivePool, applyAdaptivePool, disposeAdaptivePool, type AdaptivePool } from '../ops/adaptive-avg-pool';

/** The pyramid ReviewKD compares each level at, besides its full size. */
const LEVELS = [4, 2, 1];

/** One level's pooled comparisons: to 4×4, 2×2 and 1×1 where smaller than the map, with their weights. */
export type HclPyramid = Array<{ pool: AdaptivePool | null; weight: number }>;

/** The pyramid of a map of [h, w], made once per run: a step then makes no constants (WebGPU can replay it). Dispose with disposeHclPyramid. */
export function hclPyramid([h, w]: readonly [number, number]): HclPyramid {
  let weight = 1;
  return LEVELS.filter((size) => size < h && size <= w).map((size) => ({ pool: adaptivePool([h, w], [size, size]), weight: (weight /= 2) }));
}

export const disposeHclPyramid = (pyramid: HclPyramid) => pyramid.forEach(({ pool }) => disposeAdaptivePool(pool));

/**
 * ReviewKD's hierarchical context loss (Chen et al. 2021), as mdistiller computes it: per pair
 * of maps ([n, h, w, c] each, the same shape), the MSE at full size plus the MSE of both pooled
 * (adaptive average) to 4×4, 2×2 and 1×1 where smaller than the map, each weighted half the one
 * before, over the sum of the weights; summed over the pairs.
 */
export function hierarchicalContextLoss(students: readonly tf.Tensor4D[], teachers: readonly tf.Tensor4D[], pyramids: readonly HclPyramid[]): tf.Scalar {
  return tf.tidy(() => {
    const mse = (a: tf.Tensor, b: tf.Tensor) => tf.losses.meanSquaredError(b, a, undefined, tf.Reduction.MEAN);
    const terms = students.map((fs, i) => {
      const ft = teachers[i]!;
      const pyramid = pyramids[i]!;
      const pooled = pyramid.map(({ pool, weight }) => tf.mul(mse(applyAdaptivePool(fs, pool), applyAdaptivePool(ft, pool)), weight));
      const total = 1 + pyramid.reduce((sum, { weight }) => sum + weight, 0);
      return tf.div(tf.addN([mse(fs, ft), ...pooled]), total);
    });
    return tf.addN(terms) as tf.Scalar;
  });
}
