import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import { axpby } from '../ops/axpby';

export function createOptimizer(config: Pick<RunConfig, 'optimizer' | 'lr' | 'momentum'>): tf.Optimizer {
  return config.optimizer === 'adam' ? tf.train.adam(config.lr) : new MomentumSgd(config.lr, config.momentum);
}

/** tfjs's MomentumOptimizer fields this class reads (private in its typings). */
interface MomentumInternals {
  learningRate: number;
  momentum: number;
  accumulations: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * tfjs's momentum SGD (v ← μv + g, w ← w − ηv: PyTorch's rule) with each update one `axpby`
 * instead of a multiply and an add: two kernels per variable and step instead of four. Its state
 * (getWeights/setWeights) is tfjs's own.
 */
export class MomentumSgd extends tf.MomentumOptimizer {
  /**
   * When set, the step's learning rate comes from this one-element tensor instead of the number:
   * a recorded WebGPU step (backend/webgpu-step) then replays with whatever value it holds.
   */
  learningRateTensor: tf.Tensor | null = null;

  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const self = this as unknown as MomentumInternals;
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    list.forEach(({ name, tensor: gradient }, i) => {
      const value = tf.engine().registeredVariables[name]!;
      self.accumulations[i] ??= { originalName: `${name}/momentum`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const accumulation = self.accumulations[i]!.variable;
      if (gradient == null) return;
      tf.tidy(() => {
        const velocity = axpby(self.momentum, accumulation, 1, gradient);
        accumulation.assign(velocity);
        value.assign(this.learningRateTensor ? axpby(1, value, -1, velocity, this.learningRateTensor) : axpby(1, value, -self.learningRate, velocity));
      });
    });
    this.incrementIterations();
  }
}

/**
 * Whether `optimizer` is (a subclass of) `Class`. tfjs's optimizers answer `instanceof` for any
 * optimizer (Optimizer's Symbol.hasInstance checks only for `minimize`), so an Adam optimizer is
 * "instanceof SGDOptimizer": the prototype chain is what tells them apart.
 */
export function isOptimizerOf<T extends tf.Optimizer>(optimizer: tf.Optimizer, Class: abstract new (...args: never[]) => T): optimizer is T {
  return Object.prototype.isPrototypeOf.call(Class.prototype, optimizer);
}

/** tfjs optimizers have no common setter: SGD/momentum cache −lr, Adam reads a field each step. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (isOptimizerOf(optimizer, tf.SGDOptimizer)) optimizer.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Disposes an optimizer completely: tfjs's MomentumOptimizer.dispose() leaves the −lr scalar
 * it inherits from SGDOptimizer behind (one tensor per trained model otherwise).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (isOptimizerOf(optimizer, tf.MomentumOptimizer)) (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
}
