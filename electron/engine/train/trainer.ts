import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../contract/run-config';
import type { EpochEndEvent, Phase, TrainerProgressEvent } from '../../contract/events';
import { imageBatch } from '../data/batches';
import type { DatasetSplit } from '../data/dataset';
import { throwIfAborted } from '../errors';
import type { LossInputs } from '../methods/method';
import { createRng, shuffledIndices } from '../random';
import type { PhaseCheckpoint, PhaseState } from '../runs/checkpoints';
import { evaluateModel, type Evaluation } from './evaluate';
import { createOptimizer, disposeOptimizer } from './optimizers';
import { learningRateAt, PlateauCuts } from './schedule';
import { StepRunner } from './step-runner';

export interface ForwardOutputs {
  logits: tf.Tensor2D;
  features: tf.Tensor[];
}

export interface TeacherSource {
  /** Teacher outputs for a batch: looked up when precomputed, else run on the (jittered) batch (an imported teacher's runtime answers asynchronously). */
  outputsFor(x: tf.Tensor4D, indices: Int32Array): ForwardOutputs | Promise<ForwardOutputs>;
}

export interface TrainPhaseOptions {
  phase: Phase;
  /** Shown in a study to tell the students apart. */
  method?: string;
  model: tf.LayersModel;
  /** Logits and the features the loss needs; defaults to the model's logits alone. */
  forward?: (x: tf.Tensor4D, training: boolean) => ForwardOutputs;
  /** Trainables beyond the model's own (a FitNets regressor). */
  extraVariables?: tf.Variable[];
  train: DatasetSplit;
  test: DatasetSplit;
  /** Held out from training: evaluated each epoch, and the model ends with its best epoch's weights. */
  validation?: DatasetSplit;
  /** With `validation`: stop after this many epochs without a better validation accuracy. */
  patience?: number | null;
  shape: readonly [number, number, number];
  epochs: number;
  jitter: number;
  /** The share of images `jitter` shifts (default 1). */
  jitterShare?: number;
  flip?: boolean;
  /** `compiledStep` (default true): on webgpu, replay a recorded step where possible. */
  recipe: Pick<RunConfig, 'batchSize' | 'lr' | 'optimizer' | 'momentum' | 'schedule' | 'lrMilestones' | 'weightDecay' | 'seed' | 'plateauPatience'> & Partial<Pick<RunConfig, 'compiledStep'>>;
  loss: (inputs: LossInputs) => tf.Scalar;
  /** Called after each step's update (a method's state: CRD's memory). */
  afterStep?: () => void;
  teacher: TeacherSource | null;
  signal?: AbortSignal;
  onProgress?: (event: TrainerProgressEvent) => void;
  onEpoch?: (event: EpochEndEvent) => void | Promise<void>;
  /** Minimum milliseconds between progress events. */
  progressIntervalMs?: number;
  /** Go on from a checkpoint (the model's weights are already restored): epochs, data order, optimizer state. */
  resume?: Pick<PhaseCheckpoint, 'epoch' | 'rngState' | 'history' | 'optimizerWeights'>;
  /** Called after every epoch, once its event is out: save what `resume` needs. */
  checkpoint?: (parts: { optimizer: tf.Optimizer; state: PhaseState }) => Promise<void>;
}

export interface PhaseOutcome {
  history: EpochEndEvent[];
  /** The test-split evaluation of the weights the model ends with (null when no epoch ran). */
  evaluation: Evaluation | null;
  /** With a validation split: the epoch whose weights the model ends with, and where early stopping stopped. */
  bestEpoch: number | null;
  stoppedEarly: number | null;
}

/** The best epoch so far on the validation split, with a copy of its weights. */
class BestWeights {
  epoch: number | null = null;
  accuracy = -Infinity;
  private weights: tf.Tensor[] = [];

  offer(model: tf.LayersModel, epoch: number, accuracy: number): void {
    if (accuracy <= this.accuracy) return;
    tf.dispose(this.weights);
    this.weights = model.getWeights().map((w) => w.clone());
    [this.epoch, this.accuracy] = [epoch, accuracy];
  }

  /** Puts the best weights back; true when they differ from the model's. */
  restore(model: tf.LayersModel, lastEpoch: number): boolean {
    const differs = this.epoch !== null && this.epoch !== lastEpoch;
    if (differs) model.setWeights(this.weights);
    return differs;
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.weights = [];
  }
}

/** Trains one model for `epochs` epochs; evaluates on the test split after each. */
export async function trainPhase(options: TrainPhaseOptions): Promise<PhaseOutcome> {
  const { model, train, shape, epochs, recipe } = options;
  const forward = options.forward ?? ((x, training) => ({ logits: model.apply(x, { training }) as tf.Tensor2D, features: [] }));
  const rng = createRng(recipe.seed, options.resume?.rngState);
  const optimizer = createOptimizer(recipe);
  if (options.resume) await optimizer.setWeights(options.resume.optimizerWeights);
  const variables = [...model.trainableWeights.map((weight) => weight.read() as tf.Variable), ...(options.extraVariables ?? [])];
  const kernels = variables.filter((v) => /kernel/.test(v.name));
  const steps = Math.ceil(train.count / recipe.batchSize);
  const totalSteps = steps * epochs;
  const interval = options.progressIntervalMs ?? 250;
  const label = options.method === undefined ? {} : { method: options.method };
  const history: EpochEndEvent[] = [...(options.resume?.history ?? [])];
  const firstEpoch = (options.resume?.epoch ?? 0) + 1;
  let evaluation: Evaluation | null = null;
  let stepsDone = 0;
  const phaseStart = performance.now();
  const best = new BestWeights();
  // A resumed phase's best starts from the weights it resumes with (earlier snapshots are not kept).
  const resumedVal = options.resume?.history.at(-1)?.valAccuracy;
  if (options.validation && options.resume && resumedVal !== undefined) best.offer(model, options.resume.epoch, resumedVal);
  let lastEpoch = firstEpoch - 1;
  const plateau = recipe.schedule === 'plateau' && options.validation ? new PlateauCuts(recipe.plateauPatience) : null;
  for (const event of options.resume?.history ?? []) if (event.valAccuracy !== undefined) plateau?.update(event.valAccuracy);
  let stoppedEarly: number | null = null;
  const runner = new StepRunner(
    ({ x, labels, teacher, epoch, progress, indices }) => {
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const { logits, features } = forward(x, true);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')));
        const loss = options.loss({ studentLogits: logits, labels, teacherLogits: teacher?.logits ?? null, studentFeatures: features, teacherFeatures: teacher?.features ?? [], epoch, epochs, progress, ...(indices ? { indices } : {}) });
        if (recipe.weightDecay <= 0 || kernels.length === 0) return loss;
        const l2 = tf.addN(kernels.map((kernel) => tf.sum(tf.square(kernel))));
        return tf.add(loss, tf.mul(0.5 * recipe.weightDecay, l2));
      }, variables);
      // tfjs optimizers keep their state by position in this map: give every variable a
      // gradient, zero for those this loss does not reach (FitNets' hint stage), so it never shifts.
      const ordered: tf.NamedTensorMap = {};
      for (const variable of variables) ordered[variable.name] = grads[variable.name] ?? tf.zerosLike(variable);
      optimizer.applyGradients(ordered);
      tf.dispose(ordered);
      return { value, correct: correct! };
    },
    optimizer,
    recipe.compiledStep ?? true,
  );

  try {
    for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const order = shuffledIndices(train.count, rng);
      // Sums stay on the device; reading them only when reporting avoids a sync every step.
      let lossSum: tf.Scalar = tf.scalar(0);
      let correctSum: tf.Scalar = tf.scalar(0);
      let seen = 0;
      let lastReport = 0;
      runner.startEpoch();
      for (let step = 1; step <= steps; step++) {
        throwIfAborted(options.signal);
        const lr = learningRateAt(recipe, epoch - 1 + (step - 1) / steps, epochs) * (plateau?.factor ?? 1);
        const start = (step - 1) * recipe.batchSize;
        const end = Math.min(train.count, start + recipe.batchSize);
        const indices = order.subarray(start, end);
        const { x, labels } = imageBatch(train, shape, order, start, end, { jitter: options.jitter, jitterShare: options.jitterShare, flip: options.flip, rng });
        const teacher = options.teacher ? await options.teacher.outputsFor(x, indices) : null;
        const { value, correct } = runner.step({ x, labels, teacher, lr, epoch, progress: epoch - 1 + (step - 1) / steps, indices }, end - start === recipe.batchSize);
        options.afterStep?.();
        const batchCount = end - start;
        const nextLoss = tf.tidy(() => tf.add<tf.Scalar>(lossSum, tf.mul(value, batchCount)));
        const nextCorrect = tf.tidy(() => tf.add<tf.Scalar>(correctSum, correct!));
        tf.dispose([lossSum, correctSum, value, correct ?? [], x, labels, teacher?.logits ?? [], teacher?.features ?? []]);
        lossSum = nextLoss;
        correctSum = nextCorrect;
        seen += batchCount;
        stepsDone++;

        const now = performance.now();
        // Read back at least every interval, reported or not: the read also bounds the work queued
        // on a GPU (Dawn on lavapipe crashes after some 65,000 dispatches with no read at all).
        if (now - lastReport >= interval || step === steps) {
          lastReport = now;
          const [loss, correctCount] = await Promise.all([lossSum.data(), correctSum.data()]);
          const secondsPerStep = (now - phaseStart) / 1000 / stepsDone;
          options.onProgress?.({
            type: 'progress',
            phase: options.phase,
            epoch,
            epochs,
            step,
            steps,
            loss: loss[0]! / seen,
            accuracy: correctCount[0]! / seen,
            imgPerSec: (stepsDone * recipe.batchSize) / ((now - phaseStart) / 1000),
            etaSec: secondsPerStep * (totalSteps - (firstEpoch - 1) * steps - stepsDone),
            lr,
            ...label,
            ...(runner.mode ? { stepMode: runner.mode } : {}),
          });
        }
        // Yield to the event loop so a cancel message (IPC, signal handler) gets through.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const [loss, correctCount] = await Promise.all([lossSum.data(), correctSum.data()]);
      tf.dispose([lossSum, correctSum]);
      throwIfAborted(options.signal);
      evaluation = await evaluateModel(model, options.test, shape, Math.max(recipe.batchSize, 256));
      const valAccuracy = options.validation ? (await evaluateModel(model, options.validation, shape, Math.max(recipe.batchSize, 256))).accuracy : undefined;
      if (valAccuracy !== undefined) {
        best.offer(model, epoch, valAccuracy);
        plateau?.update(valAccuracy);
      }
      lastEpoch = epoch;
      const event: EpochEndEvent = {
        type: 'epoch',
        phase: options.phase,
        epoch,
        epochs,
        trainLoss: loss[0]! / seen,
        trainAccuracy: correctCount[0]! / seen,
        testAccuracy: evaluation.accuracy,
        testLoss: evaluation.loss,
        ...(valAccuracy !== undefined ? { valAccuracy } : {}),
        seconds: (performance.now() - epochStart) / 1000,
        ...label,
      };
      history.push(event);
      await options.onEpoch?.(event);
      await options.checkpoint?.({ optimizer, state: { epoch, rngState: rng.state(), history } });
      if (options.patience && best.epoch !== null && epoch - best.epoch >= options.patience && epoch < epochs) {
        stoppedEarly = epoch;
        break;
      }
    }
    // The model ends with its best validation epoch's weights, evaluated again on the test split.
    if (best.restore(model, lastEpoch)) evaluation = await evaluateModel(model, options.test, shape, Math.max(recipe.batchSize, 256));
  } finally {
    runner.dispose();
    disposeOptimizer(optimizer);
    best.dispose();
  }
  return { history, evaluation, bestEpoch: best.epoch, stoppedEarly };
}
