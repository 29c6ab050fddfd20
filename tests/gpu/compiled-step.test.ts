import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { RunResultSchema, type StepMode } from '../../electron/contract/events';
import { BufferGuard } from '../../electron/engine/backend/webgpu-step/buffer-guard';
import { webgpuInternals } from '../../electron/engine/backend/webgpu-step/internals';
import { probeBackends, selectBackend } from '../../electron/engine/backend/select';
import { profileTrainingStep } from '../../electron/engine/bench-profile';
import { createBenchStep } from '../../electron/engine/bench';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { buildModel } from '../../electron/engine/models/registry';
import { createRng } from '../../electron/engine/random';
import { createOptimizer, disposeOptimizer } from '../../electron/engine/train/optimizers';
import { StepRunner } from '../../electron/engine/train/step-runner';
import { runCli } from '../helpers/cli';

/**
 * The compiled WebGPU step (backend/webgpu-step, train/step-runner.ts) against tfjs's eager step:
 * runs on a GPU, or on Mesa's lavapipe on a CPU-only machine (.ci/run installs it).
 */
const probe = (await probeBackends()).webgpu;
const skip = probe.ok ? false : `no WebGPU adapter here (${probe.reason})`;
console.log(probe.ok ? `# compiled-step tests on ${probe.device}` : `# compiled-step tests did not run: ${skip}`);

interface StepsOutcome {
  losses: number[];
  correct: number[];
  /** Every weight of the model (batch-norm moving statistics included), then every momentum. */
  state: Float32Array[];
  mode: StepMode | null;
  replays: number;
  /** With `cloneAt`: whether clones of the weights taken then still hold what they held. */
  clonesIntact?: boolean;
}

/** `steps` training steps as the trainer makes them (loss, accuracy count, momentum SGD with a new learning rate each step). */
async function trainSteps(name: string, shape: [number, number, number], batch: number, options: { compiled: boolean; steps?: number; dropout?: number; optimizer?: 'sgd' | 'adam'; newEpochAt?: number; cloneAt?: number }): Promise<StepsOutcome> {
  const model = buildModel(name, { inputShape: shape, classes: 10, seed: 3, dropout: options.dropout ?? 0 });
  const optimizer = createOptimizer({ optimizer: options.optimizer ?? 'sgd', lr: 0.05, momentum: 0.9 });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const runner = new StepRunner(
    ({ x, labels }) => {
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')));
        return crossEntropyLoss(labels, logits);
      }, variables);
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      return { value, correct: correct! };
    },
    optimizer,
    options.compiled,
  );
  const losses: number[] = [];
  const correct: number[] = [];
  let clones: { tensors: tf.Tensor[]; values: Float32Array[] } | null = null;
  try {
    for (let step = 0; step < (options.steps ?? 6); step++) {
      if (step === options.newEpochAt) runner.startEpoch();
      if (step === options.cloneAt) {
        // tfjs clones share their data with the variable (as the trainer's best-weights copy does).
        const tensors = model.getWeights().map((w) => w.clone());
        clones = { tensors, values: await Promise.all(tensors.map(async (t) => Float32Array.from(await t.data()))) };
      }
      const rng = createRng(100 + step);
      const x = tf.tensor4d(Float32Array.from({ length: batch * shape[0] * shape[1] * shape[2] }, () => rng()), [batch, ...shape]);
      const labels = tf.tensor1d(Int32Array.from({ length: batch }, () => Math.floor(rng() * 10)), 'int32');
      const lr = 0.05 / (1 + step);
      const result = runner.step({ x, labels, teacher: null, lr, epoch: 1, progress: 0 }, true);
      losses.push((await result.value.data())[0]!);
      correct.push((await result.correct!.data())[0]!);
      tf.dispose([x, labels, result.value, result.correct!]);
    }
    const momenta = (optimizer as unknown as { accumulations?: Array<{ variable: tf.Variable }> }).accumulations ?? [];
    const state = await Promise.all([...model.getWeights(), ...momenta.map((m) => m.variable)].map(async (t) => (await t.data()) as Float32Array));
    const held = clones as { tensors: tf.Tensor[]; values: Float32Array[] } | null;
    const clonesIntact = held ? (await Promise.all(held.tensors.map(async (t, i) => tf.util.arraysEqual(await t.data(), held.values[i]!)))).every(Boolean) : undefined;
    if (held) tf.dispose(held.tensors);
    return { losses, correct, state, mode: runner.mode, replays: runner.replays, ...(clonesIntact === undefined ? {} : { clonesIntact }) };
  } finally {
    runner.dispose();
    disposeOptimizer(optimizer);
    model.dispose();
  }
}

describe('a compiled WebGPU training step replays what tfjs computes eagerly', { skip }, () => {
  before(async () => {
    await selectBackend('webgpu');
  });

  for (const [name, shape, batch] of [['mlp-30x2', [28, 28, 1], 8], ['lenet5', [28, 28, 1], 4], ['resnet20', [16, 16, 3], 2]] as const) {
    it(`${name}: three replayed steps leave the same weights, momenta and batch-norm statistics as three eager ones (tolerance 0)`, async () => {
      const eager = await trainSteps(name, [...shape], batch, { compiled: false });
      const compiled = await trainSteps(name, [...shape], batch, { compiled: true });
      assert.equal(eager.mode, null, 'the eager runner reports no step mode');
      assert.equal(compiled.mode?.compiled, true, `compiled: ${compiled.mode?.note}`);
      // Step 1 makes the optimizer state, step 2 is the probe, step 3 is recorded: 4–6 are replays.
      assert.equal(compiled.replays, 3);
      assert.deepEqual(compiled.losses, eager.losses);
      assert.deepEqual(compiled.correct, eager.correct);
      assert.equal(compiled.state.length, eager.state.length);
      compiled.state.forEach((values, i) => assert.deepEqual(values, eager.state[i], `state tensor ${i} differs`));
      assert.notDeepEqual(eager.losses[3], eager.losses[5], 'the steps train (losses change)');
    });
  }

  it('a new epoch\'s eager probe that matches keeps the recording: replays go on from the weights it left (tolerance 0)', async () => {
    const eager = await trainSteps('resnet20', [16, 16, 3], 2, { compiled: false, steps: 9 });
    // After the probe, the first replay points the variables back at the recording's buffers.
    const swapIn = BufferGuard.prototype.swapIn;
    let swaps = 0;
    BufferGuard.prototype.swapIn = function (...args) {
      swaps++;
      return swapIn.apply(this, args);
    };
    const compiled = await trainSteps('resnet20', [16, 16, 3], 2, { compiled: true, steps: 9, newEpochAt: 5 }).finally(() => (BufferGuard.prototype.swapIn = swapIn));
    assert.ok(swaps > 20, `${swaps} variables realigned`);
    // Steps 4 and 5 replay; step 6 is the new epoch's probe; steps 7–9 replay again.
    assert.equal(compiled.replays, 5);
    assert.deepEqual(compiled.losses, eager.losses);
    compiled.state.forEach((values, i) => assert.deepEqual(values, eager.state[i], `state tensor ${i} differs`));
  });

  it('a clone of the weights (shared data) is never written: the step after it is probed and recorded again', async () => {
    const eager = await trainSteps('mlp-30x2', [28, 28, 1], 8, { compiled: false, steps: 8 });
    const compiled = await trainSteps('mlp-30x2', [28, 28, 1], 8, { compiled: true, steps: 8, cloneAt: 4 });
    assert.equal(compiled.clonesIntact, true, 'replays wrote into the clones');
    assert.equal(compiled.replays, 3, 'step 4 replays; 5 (after the clone) is a probe, 6 is recorded, 7 and 8 replay');
    assert.deepEqual(compiled.losses, eager.losses);
    compiled.state.forEach((values, i) => assert.deepEqual(values, eager.state[i], `state tensor ${i} differs`));
  });

  it('a replay runs no tfjs kernel, makes as many dispatches as the eager step, and leaves device memory flat', async () => {
    const options = { model: 'mlp-30x2', batchSize: 8, inputShape: [28, 28, 1] as [number, number, number], classes: 10 };
    const { dispatchesPerStep } = await profileTrainingStep(options);
    const bench = createBenchStep({ ...options, compiled: true });
    try {
      for (let i = 0; i < 3; i++) tf.dispose(bench.step());
      assert.equal(bench.mode()?.compiled, true);
      assert.equal(bench.dispatches(), dispatchesPerStep, 'the replay encodes every dispatch of the eager step');
      assert.ok(dispatchesPerStep! > 20);
      const engine = tf.engine() as unknown as { runKernelFunc: (...args: unknown[]) => unknown };
      const runKernelFunc = engine.runKernelFunc;
      let kernels = 0;
      engine.runKernelFunc = function (...args: unknown[]) {
        kernels++;
        return runKernelFunc.apply(this, args);
      };
      let memory: tf.MemoryInfo | null = null;
      try {
        for (let i = 0; i < 40; i++) {
          const loss = bench.step();
          await loss.data();
          loss.dispose();
          if (i === 4) memory = tf.memory();
        }
      } finally {
        engine.runKernelFunc = runKernelFunc;
      }
      assert.equal(kernels, 0, 'no tfjs kernel runs while steps are replayed');
      const after = tf.memory() as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
      const early = memory as tf.MemoryInfo & { numBytesAllocatedInGPU?: number };
      assert.equal(after.numTensors, early.numTensors);
      assert.equal(after.numBytesAllocatedInGPU, early.numBytesAllocatedInGPU, 'device memory is flat over 35 replays');
    } finally {
      bench.dispose();
    }
    assert.equal(BufferGuard.of(webgpuInternals()!.bufferManager).size, 0, 'a disposed compiled step holds no buffer from tfjs');
  });

  it('falls back to eager steps with the reason: dropout (new random masks each step), Adam', async () => {
    const dropout = await trainSteps('mlp-30x2', [28, 28, 1], 8, { compiled: true, dropout: 0.3 });
    assert.equal(dropout.mode?.compiled, false);
    assert.match(dropout.mode!.note, /values made on the CPU change from one step to the next/);
    assert.equal(dropout.replays, 0);
    assert.ok(dropout.losses.every(Number.isFinite));
    const adam = await trainSteps('mlp-30x2', [28, 28, 1], 8, { compiled: true, optimizer: 'adam' });
    assert.match(adam.mode!.note, /only momentum SGD/);
    assert.equal(BufferGuard.of(webgpuInternals()!.bufferManager).size, 0);
  });
});

describe('distill run on webgpu with the compiled step', { skip }, () => {
  it('reaches the same accuracies as --eager-steps with the same seed, and says how its steps ran', async () => {
    const args = ['run', '--backend', 'webgpu', '--teacher', 'mlp-64x1', '--student', 'mlp-16x1', '--teacher-epochs', '2', '--epochs', '2', '--limit-train', '1000', '--limit-test', '500', '--json'];
    const runs = [];
    for (const extra of [[], ['--eager-steps']]) {
      const out = await mkdtemp(join(tmpdir(), 'compiled-run-'));
      const { code, stdout, stderr } = await runCli([...args, ...extra, '--out', out], { timeoutMs: 300_000 });
      assert.equal(code, 0, stderr);
      const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; phase?: string; epoch?: number; stepMode?: StepMode });
      runs.push({ result: RunResultSchema.parse(lines.at(-1)), modes: lines.flatMap((line) => (line.stepMode ? [{ ...line.stepMode, phase: line.phase, epoch: line.epoch }] : [])) });
    }
    const [compiled, eager] = runs as [(typeof runs)[0], (typeof runs)[0]];
    // KD's α ramps up over the student's first epoch, a constant that follows the step: those steps run eagerly, and the rest are replayed.
    const warming = (mode: (typeof compiled.modes)[0]) => mode.phase === 'student' && mode.epoch === 1;
    assert.ok(compiled.modes.length > 0 && compiled.modes.filter((mode) => !warming(mode)).every((mode) => mode.compiled), JSON.stringify(compiled.modes));
    assert.ok(compiled.modes.filter(warming).every((mode) => !mode.compiled && /a constant that follows the step/.test(mode.note)), JSON.stringify(compiled.modes.filter(warming)));
    assert.ok(compiled.modes.some((mode) => mode.phase === 'student' && mode.epoch === 2 && mode.compiled), 'the student is replayed after its warm-up');
    assert.equal(eager.modes.length, 0, '--eager-steps records nothing');
    for (const role of ['teacher', 'student', 'baseline'] as const) {
      assert.equal(compiled.result[role]!.accuracy, eager.result[role]!.accuracy, `${role}: compiled and eager runs agree`);
    }
    assert.ok(compiled.result.student!.accuracy > 0.5);
  });
});
