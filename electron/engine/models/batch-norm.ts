import * as tf from '@tensorflow/tfjs';
import { axpby } from '../ops/axpby';
import { withCall } from './layer-call';

/** The tfjs-layers fields the training path reads (private in its typings). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: { read(): tf.Tensor };
  beta: { read(): tf.Tensor };
  movingMean: { read(): tf.Tensor; write(value: tf.Tensor): void };
  movingVariance: { read(): tf.Tensor; write(value: tf.Tensor): void };
}

/**
 * Batch normalization over every axis but the last, in training mode, with its gradient written
 * out instead of taken by autodiff through `tf.moments`: per layer and step that is 15 kernels
 * instead of about 45 (tests/unit/batch-norm-training.test.ts), and each kernel is a dispatch with its own host cost on a GPU
 * (README, performance). Returns y and, for the moving averages, the batch mean and (biased)
 * variance, which the caller disposes.
 *
 *   x̂ = (x − μ)/√(σ² + ε),  y = γx̂ + β
 *   ∂β = Σ dy,  ∂γ = Σ dy·x̂,  ∂x = γ/√(σ² + ε) · (dy − (x̂·∂γ + ∂β)/N)
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const count = x.size / x.shape[x.rank - 1]!;
  let mean: tf.Tensor | undefined;
  let variance: tf.Tensor | undefined;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    mean = tf.keep(tf.mean(input, axes));
    variance = tf.keep(tf.mean(tf.squaredDifference(input, mean), axes));
    save([input, mean, variance, scale]);
    return {
      value: tf.batchNorm(input, mean, variance, offset, scale, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, mu, sigma2, g] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const xHat = tf.batchNorm(xs, mu, sigma2, undefined, undefined, epsilon);
        const dBeta = tf.sum(dy, axes) as tf.Tensor1D;
        const dGamma = tf.sum(tf.mul(dy, xHat), axes) as tf.Tensor1D;
        // x̂·∂γ/N + ∂β/N as one more batch norm of x; then (dy − that)·γ/√(σ² + ε) as a batch norm
        // of the difference with a zero mean: two kernels where separate products took six.
        const inner = tf.batchNorm(xs, mu, sigma2, tf.mul(dBeta, 1 / count) as tf.Tensor1D, tf.mul(dGamma, 1 / count) as tf.Tensor1D, epsilon);
        const dx = tf.batchNorm(tf.sub(dy, inner), tf.zeros(mu.shape) as tf.Tensor1D, sigma2, undefined, g, epsilon);
        return [dx, dGamma, dBeta];
      },
    };
  });
  const y = normalize(x, gamma, beta);
  return { y, mean: mean!, variance: variance! };
}

/** Off for `distill bench --stock-kernels` (see stock-layers.ts). */
let writtenOutTraining = true;

export function useTfjsBatchNormTraining(): void {
  writtenOutTraining = false;
}

/**
 * tfjs-layers' BatchNormalization with `batchNormTraining` as its training step; inference, and
 * layouts this path does not cover, are tfjs's own code.
 */
export const batchNormalization = withCall(tf.layers.batchNormalization, (layer, inputs, kwargs, stock) => {
  const self = layer as unknown as BatchNormInternals;
  const input = Array.isArray(inputs) ? inputs[0]! : inputs;
  const lastAxis = self.axis === -1 || self.axis === input.rank - 1;
  if (!writtenOutTraining || kwargs['training'] !== true || !lastAxis || !self.center || !self.scale) return stock(inputs, kwargs);
  return tf.tidy(() => {
    const { y, mean, variance } = batchNormTraining(input, self.gamma.read(), self.beta.read(), self.epsilon);
    // The moving averages as tfjs-layers keeps them, v·momentum + batch·(1 − momentum), one kernel each.
    for (const [variable, batch] of [[self.movingMean, mean], [self.movingVariance, variance]] as const) {
      variable.write(axpby(self.momentum, variable.read(), 1 - self.momentum, batch));
    }
    tf.dispose([mean, variance]);
    return y;
  });
});
