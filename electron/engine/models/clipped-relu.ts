import * as tf from '@tensorflow/tfjs';
import { withCall } from './layer-call';

/**
 * min(max(x, 0), m) with its gradient as dy·(step(x) − step(x − m)): 1 where 0 < x ≤ m, exactly
 * tfjs's relu-then-clip gradient, in three elementwise kernels instead of seven (a Select of two
 * comparisons and a logical and, 3–5× slower on wasm; MobileNetV2's ReLU6 spent a fifth of a step there).
 */
export function clippedRelu(x: tf.Tensor, max: number): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.clipByValue(input, 0, max),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, tf.sub(tf.step(saved!), tf.step(tf.sub(saved!, max)))),
    };
  });
  return op(x) as tf.Tensor;
}

/** Off for `distill bench --stock-kernels` (see stock-layers.ts). */
let useClippedRelu = true;

export function useTfjsReluGradient(): void {
  useClippedRelu = false;
}

/** tfjs-layers' ReLU with `clippedRelu` when it has a maximum (ReLU6). */
export const reluLayer = withCall(tf.layers.reLU, (layer, inputs, kwargs, stock) => {
  const max = (layer as unknown as { maxValue?: number }).maxValue;
  if (max == null || !useClippedRelu) return stock(inputs, kwargs);
  return clippedRelu(Array.isArray(inputs) ? inputs[0]! : inputs, max);
});
