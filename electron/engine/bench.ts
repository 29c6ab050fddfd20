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

export interface BenchResult {
  imgPerSec: number;
  params: number;
  /**
   * Host time to queue one step (tfjs's engine and the backend's JavaScript, no device wait).
   * Where it is close to the whole step time, the host, not the device, sets the speed.
   */
  hostMsPerStep: number;
}

/** One training step (forward, backward, momentum-SGD update) on a fixed random batch. */
export interface BenchStep {
  step: () => tf.Scalar;
  params: number;
  dispose: () => void;
}

export function createBenchStep(options: Omit<BenchOptions, 'steps'>): BenchStep {
  const model = buildModel(options.model, { inputShape: options.inputShape, classes: options.classes, seed: 1, dropout: 0 });
  const optimizer = createOptimizer({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 });
  const x = tf.randomUniform([options.batchSize, ...options.inputShape]);
  const labels = tf.randomUniform([options.batchSize], 0, options.classes, 'int32') as tf.Tensor1D;
  return {
    step: () => optimizer.minimize(() => crossEntropyLoss(labels, model.apply(x, { training: true }) as tf.Tensor2D), true)!,
    params: modelSize(model).params,
    dispose: () => {
      tf.dispose([x, labels]);
      disposeOptimizer(optimizer);
      model.dispose();
    },
  };
}

/** Training throughput on random data; warm-up steps excluded. */
export async function benchTraining(options: BenchOptions): Promise<BenchResult> {
  const bench = createBenchStep(options);
  // Like the trainer, read nothing back between steps: a read is a device sync that stops the
  // host from queueing the next step while the device works (PyTorch is timed the same way).
  const run = async (steps: number) => {
    const start = performance.now();
    let loss: tf.Scalar | null = null;
    for (let i = 0; i < steps; i++) {
      loss?.dispose();
      loss = bench.step();
    }
    const queued = performance.now();
    await loss!.data();
    loss!.dispose();
    return { hostMs: queued - start, totalMs: performance.now() - start };
  };
  try {
    await run(2);
    const { hostMs, totalMs } = await run(options.steps);
    return { imgPerSec: (options.steps * options.batchSize) / (totalMs / 1000), params: bench.params, hostMsPerStep: hostMs / options.steps };
  } finally {
    bench.dispose();
  }
}
