import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from './losses/cross-entropy';
import { buildModel, modelSize } from './models/registry';
import { createOptimizer, disposeOptimizer } from './train/optimizers';

export interface BenchOptions {
  model: string;
  batchSize: number;
  steps: number;
  inputShape: [number, number, number];
  classes: number;
}

/** Training throughput (forward, backward, SGD update) on random data; warm-up steps excluded. */
export async function benchTraining(options: BenchOptions): Promise<{ imgPerSec: number; params: number }> {
  const model = buildModel(options.model, { inputShape: options.inputShape, classes: options.classes, seed: 1, dropout: 0 });
  const optimizer = createOptimizer({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 });
  const x = tf.randomUniform([options.batchSize, ...options.inputShape]);
  const labels = tf.randomUniform([options.batchSize], 0, options.classes, 'int32') as tf.Tensor1D;
  const step = async () => {
    const loss = optimizer.minimize(() => crossEntropyLoss(labels, model.apply(x, { training: true }) as tf.Tensor2D), true);
    await loss!.data();
    loss!.dispose();
  };
  try {
    for (let i = 0; i < 2; i++) await step();
    const start = performance.now();
    for (let i = 0; i < options.steps; i++) await step();
    const seconds = (performance.now() - start) / 1000;
    return { imgPerSec: (options.steps * options.batchSize) / seconds, params: modelSize(model).params };
  } finally {
    tf.dispose([x, labels]);
    disposeOptimizer(optimizer);
    model.dispose();
  }
}
