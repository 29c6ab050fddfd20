import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';

export function createOptimizer(config: Pick<RunConfig, 'optimizer' | 'lr' | 'momentum'>): tf.Optimizer {
  return config.optimizer === 'adam' ? tf.train.adam(config.lr) : tf.train.momentum(config.lr, config.momentum);
}

/** tfjs optimizers have no common setter: SGD/momentum cache −lr, Adam reads a field each step. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  if (optimizer instanceof tf.SGDOptimizer) optimizer.setLearningRate(lr);
  else (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Disposes an optimizer completely: tfjs's MomentumOptimizer.dispose() leaves the −lr scalar
 * it inherits from SGDOptimizer behind (one tensor per trained model otherwise).
 */
export function disposeOptimizer(optimizer: tf.Optimizer): void {
  optimizer.dispose();
  if (optimizer instanceof tf.MomentumOptimizer) (optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
}
