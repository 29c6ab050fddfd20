import * as tf from '@tensorflow/tfjs';

type ReluArgs = Parameters<typeof tf.layers.reLU>[0];
type ReluLayer = ReturnType<typeof tf.layers.reLU>;
type Kwargs = Parameters<ReluLayer['call']>[1];

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

let clippedReluClass: (new (args: ReluArgs) => ReluLayer) | undefined;
/** Off for `distill bench --stock-kernels` (see stock-layers.ts). */
let useClippedRelu = true;

export function useTfjsReluGradient(): void {
  useClippedRelu = false;
}

/**
 * tfjs-layers' ReLU with `clippedRelu` when it has a maximum (ReLU6). The class name is
 * unchanged, so a saved model is a plain ReLU layer anywhere TensorFlow.js loads it.
 */
export function reluLayer(args: ReluArgs): ReluLayer {
  clippedReluClass ??= makeClippedReluClass(tf.layers.reLU({}).constructor as new (args: ReluArgs) => ReluLayer);
  return new clippedReluClass(args);
}

function makeClippedReluClass(Base: new (args: ReluArgs) => ReluLayer) {
  return class ClippedReLU extends Base {
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
      const max = (this as unknown as { maxValue?: number }).maxValue;
      if (max == null || !useClippedRelu) return super.call(inputs, kwargs);
      return clippedRelu(Array.isArray(inputs) ? inputs[0]! : inputs, max);
    }
  };
}
