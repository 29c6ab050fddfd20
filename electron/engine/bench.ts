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

/** Steps queued ahead of the last one read back. */
const IN_FLIGHT = 2;

/** Training throughput on random data; warm-up steps excluded. */
export async function benchTraining(options: BenchOptions): Promise<BenchResult> {
  const bench = createBenchStep(options);
  // The host queues steps while the device works, as PyTorch is timed. Each step's loss is read
  // back, but only awaited IN_FLIGHT steps later: its copy is queued right behind its step, so the
  // device never idles, and the queue stays bounded (Dawn on lavapipe crashes after some 65,000
  // dispatches with no read at all).
  const run = async (steps: number) => {
    const start = performance.now();
    let hostMs = 0;
    const pending: Array<{ loss: tf.Scalar; read: Promise<unknown> }> = [];
    const settle = async () => {
      const oldest = pending.shift()!;
      await oldest.read;
      oldest.loss.dispose();
    };
    for (let i = 0; i < steps; i++) {
      const queueStart = performance.now();
      const loss = bench.step();
      pending.push({ loss, read: loss.data() });
      hostMs += performance.now() - queueStart;
      if (pending.length > IN_FLIGHT) await settle();
    }
    while (pending.length > 0) await settle();
    return { hostMs, totalMs: performance.now() - start };
  };
  try {
    await run(2);
    const { hostMs, totalMs } = await run(options.steps);
    return { imgPerSec: (options.steps * options.batchSize) / (totalMs / 1000), params: bench.params, hostMsPerStep: hostMs / options.steps };
  } finally {
    bench.dispose();
  }
}
