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

/** Training throughput (forward, backward, momentum-SGD update) on random data; warm-up steps excluded. */
export async function benchTraining(options: BenchOptions): Promise<{ imgPerSec: number; params: number }> {
  const model = buildModel(options.model, { inputShape: options.inputShape, classes: options.classes, seed: 1, dropout: 0 });
  const optimizer = createOptimizer({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 });
  const x = tf.randomUniform([options.batchSize, ...options.inputShape]);
  const labels = tf.randomUniform([options.batchSize], 0, options.classes, 'int32') as tf.Tensor1D;
  const step = () => optimizer.minimize(() => crossEntropyLoss(labels, model.apply(x, { training: true }) as tf.Tensor2D), true)!;
  // Like the trainer, read nothing back between steps: a read is a device sync that stops the
  // host from queueing the next step while the device works (PyTorch is timed the same way).
  const run = async (steps: number) => {
    let loss: tf.Scalar | null = null;
    for (let i = 0; i < steps; i++) {
      loss?.dispose();
      loss = step();
    }
    await loss!.data();
    loss!.dispose();
  };
  try {
    await run(2);
    const start = performance.now();
    await run(options.steps);
    const seconds = (performance.now() - start) / 1000;
    return { imgPerSec: (options.steps * options.batchSize) / seconds, params: modelSize(model).params };
  } finally {
    tf.dispose([x, labels]);
    disposeOptimizer(optimizer);
    model.dispose();
  }
}
