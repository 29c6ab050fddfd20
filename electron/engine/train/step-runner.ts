import * as tf from '@tensorflow/tfjs';
import type { StepMode } from '../../contract/events';
import { captureStep, probeStep, type CompiledStep } from '../backend/webgpu-step/compiled-step';
import { signatureDifference } from '../backend/webgpu-step/trace';
import { webgpuInternals, type WebGpuInternals } from '../backend/webgpu-step/internals';
import { isOptimizerOf, MomentumSgd, setLearningRate } from './optimizers';

const ATTEMPTS_PER_EPOCH = 2;

/** What one training step takes: the batch, the teacher's outputs for it, and where training is. */
export interface StepBatch {
  x: tf.Tensor4D;
  labels: tf.Tensor1D;
  teacher: { logits: tf.Tensor2D; features: tf.Tensor[] } | null;
  lr: number;
  epoch: number;
  progress: number;
  /** The batch's positions in the training split. */
  indices?: Int32Array;
}

/** What a step returns: its loss and (for the trainer) how many of the batch it classified right, both on the device. */
export interface StepResult {
  value: tf.Scalar;
  correct?: tf.Scalar;
}

/** One eager step: forward, loss, backward, optimizer update (the runner has set the learning rate). */
export type EagerStep = (batch: StepBatch) => StepResult;

/**
 * Runs training steps, on webgpu as a compiled step where it can (backend/webgpu-step): each
 * epoch's first full batch runs eagerly as a probe (the very first step, which makes the
 * optimizer's state, before it), the next one eagerly while it is recorded, and the rest replay
 * the recording if the two steps did the same thing. A recording outlives its epoch when the
 * next epoch's probe matches it. Partial batches, and steps that cannot be recorded (the reason
 * is in `mode`), run eagerly; either way the arithmetic is the same.
 */
export class StepRunner {
  private readonly backend: WebGpuInternals | null;
  private compiled: CompiledStep | null = null;
  private probe: string[] | null = null;
  /** Recordings still to try this epoch when steps differ from one to the next. */
  private attemptsLeft = ATTEMPTS_PER_EPOCH;
  private steps = 0;
  private replayed = 0;
  private reason: string | null = null;
  private current: StepBatch | null = null;

  constructor(
    private readonly eager: EagerStep,
    private readonly optimizer: tf.Optimizer,
    enabled = true,
  ) {
    this.backend = enabled ? webgpuInternals() : null;
    if (this.backend && !isOptimizerOf(optimizer, MomentumSgd)) this.reason = 'only momentum SGD is compiled (Adam keeps its learning rate in its kernels)';
  }

  /** On webgpu: whether steps replay a recording, and if not, why. Null on other backends and until the first recording. */
  get mode(): StepMode | null {
    if (!this.backend) return null;
    if (this.compiled) return { compiled: true, note: `${this.compiled.dispatches} dispatches replayed per step` };
    // Before the first recording there is nothing to say yet.
    return this.reason === null ? null : { compiled: false, note: this.reason };
  }

  /** Dispatches a replay encodes, once a step is recorded (else null). */
  get dispatches(): number | null {
    return this.compiled?.dispatches ?? null;
  }

  /** Replays so far, for tests and benchmarks. */
  get replays(): number {
    return this.replayed;
  }

  /** A new epoch: its first full batch checks that the recording still stands. */
  startEpoch(): void {
    this.probe = null;
    this.attemptsLeft = ATTEMPTS_PER_EPOCH;
  }

  step(batch: StepBatch, full: boolean): StepResult {
    setLearningRate(this.optimizer, batch.lr);
    const backend = this.backend;
    const sgd = isOptimizerOf(this.optimizer, MomentumSgd) ? this.optimizer : null;
    if (!backend || !sgd) return this.eager(batch);
    // On webgpu the learning rate is always a tensor, so eager and replayed steps compute alike.
    const lr = tf.tensor1d([batch.lr]);
    const inputs = [batch.x, batch.labels, lr, ...(batch.teacher ? [batch.teacher.logits, ...batch.teacher.features] : [])];
    this.current = batch;
    try {
      // The first step makes the optimizer's state: it runs eagerly, unrecorded.
      const first = this.steps++ === 0;
      if (first || this.attemptsLeft === 0 || !full) return this.result(this.asFunction(inputs));
      // A recording whose buffers a tfjs tensor still uses (a clone of the weights) is recorded again.
      if (this.compiled?.blocked()) {
        this.dropRecording();
        this.probe = null;
      }
      if (this.probe === null) {
        const probe = probeStep(backend, inputs, this.asFunction);
        this.probe = probe.signature;
        this.reason = probe.unusable;
        if (probe.unusable !== null) this.attemptsLeft = 0;
        if (this.compiled && signatureDifference(this.compiled.signature, probe.signature) !== null) this.dropRecording();
        return this.result(probe.outputs);
      }
      if (this.compiled) {
        this.replayed++;
        return this.result(this.compiled.replay(inputs));
      }
      const capture = captureStep(backend, inputs, this.asFunction, this.probe);
      this.reason = capture.reason;
      this.compiled = capture.step;
      // A step unlike the one before may be a one-off: the next is compared with this one.
      if (!capture.step) [this.attemptsLeft, this.probe] = [this.attemptsLeft - 1, capture.signature];
      return this.result(capture.outputs);
    } finally {
      lr.dispose();
      sgd.learningRateTensor = null;
    }
  }

  dispose(): void {
    this.dropRecording();
  }

  private dropRecording(): void {
    this.compiled?.dispose();
    this.compiled = null;
  }

  /** The eager step as a function of tensors, which is what is probed and recorded. */
  private readonly asFunction = (inputs: tf.Tensor[]): tf.Tensor[] => {
    const [x, labels, lr, logits, ...features] = inputs as [tf.Tensor4D, tf.Tensor1D, tf.Tensor, tf.Tensor2D | undefined, ...tf.Tensor[]];
    (this.optimizer as MomentumSgd).learningRateTensor = lr;
    const batch = this.current!;
    const { value, correct } = this.eager({ ...batch, x, labels, teacher: logits ? { logits, features } : null });
    return correct ? [value, correct] : [value];
  };

  private result([value, correct]: tf.Tensor[]): StepResult {
    return correct ? { value: value as tf.Scalar, correct: correct as tf.Scalar } : { value: value as tf.Scalar };
  }
}
