import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from './losses/cross-entropy';
import { buildModel, modelSize } from './models/registry';
import { createOptimizer, disposeOptimizer } from './train/optimizers';
import { medianOf } from './train/evaluate';
import { StepRunner } from './train/step-runner';
import type { StepMode } from '../contract/events';

export interface BenchOptions {
  model: string;
  /** On webgpu: replay a recorded step (train/step-runner.ts) instead of running each through tfjs. */
  compiled?: boolean;
  batchSize: number;
  steps: number;
  inputShape: [number, number, number];
  classes: number;
}

export interface BenchResult {
  imgPerSec: number;
  mode: StepMode | null;
  params: number;
  /**
   * Host time to queue one step (tfjs's engine and the backend's JavaScript, no device wait): the
   * median over steps queued one at a time on an idle device, since a software device (lavapipe)
   * computing the steps before would share the host's cores. Where it is close to the whole step
   * time, the host, not the device, sets the speed.
   */
  hostMsPerStep: number;
}

/** One training step (forward, backward, momentum-SGD update) on a fixed random batch. */
export interface BenchStep {
  step: () => tf.Scalar;
  params: number;
  /** On webgpu: how the steps ran (compiled, or eager and why). */
  mode: () => StepMode | null;
  /** Dispatches a replayed step encodes (null while no step is recorded). */
  dispatches: () => number | null;
  dispose: () => void;
}

export function createBenchStep(options: Omit<BenchOptions, 'steps'>): BenchStep {
  const model = buildModel(options.model, { inputShape: options.inputShape, classes: options.classes, seed: 1, dropout: 0 });
  const optimizer = createOptimizer({ optimizer: 'sgd', lr: 0.01, momentum: 0.9 });
  const x = tf.randomUniform([options.batchSize, ...options.inputShape]) as tf.Tensor4D;
  const labels = tf.randomUniform([options.batchSize], 0, options.classes, 'int32') as tf.Tensor1D;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  // What optimizer.minimize does, as a step the runner can record.
  const runner = new StepRunner(
    ({ x, labels }) => {
      const { value, grads } = tf.variableGrads(() => crossEntropyLoss(labels, model.apply(x, { training: true }) as tf.Tensor2D), variables);
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      return { value };
    },
    optimizer,
    options.compiled ?? false,
  );
  return {
    step: () => runner.step({ x, labels, teacher: null, lr: 0.01, epoch: 1, progress: 0 }, true).value,
    params: modelSize(model).params,
    mode: () => runner.mode,
    dispatches: () => runner.dispatches,
    dispose: () => {
      runner.dispose();
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
    const pending: Array<{ loss: tf.Scalar; read: Promise<unknown> }> = [];
    const settle = async () => {
      const oldest = pending.shift()!;
      await oldest.read;
      oldest.loss.dispose();
    };
    for (let i = 0; i < steps; i++) {
      const loss = bench.step();
      pending.push({ loss, read: loss.data() });
      if (pending.length > IN_FLIGHT) await settle();
    }
    while (pending.length > 0) await settle();
    return { totalMs: performance.now() - start };
  };
  try {
    // Three warm-up steps: on webgpu with --compiled the first makes the optimizer state, the
    // second is the probe and the third is recorded (train/step-runner.ts).
    await run(3);
    const { totalMs } = await run(options.steps);
    const hostMs: number[] = [];
    for (let i = 0; i < Math.min(options.steps, 9); i++) {
      const queueStart = performance.now();
      const loss = bench.step();
      hostMs.push(performance.now() - queueStart);
      await loss.data();
      loss.dispose();
    }
    return { imgPerSec: (options.steps * options.batchSize) / (totalMs / 1000), params: bench.params, hostMsPerStep: medianOf(hostMs), mode: bench.mode() };
  } finally {
    bench.dispose();
  }
}
