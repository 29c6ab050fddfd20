import type * as tf from '@tensorflow/tfjs';
import type { MethodEntry, MethodId } from '../../contract/catalogue';
import type { RunConfig } from '../../contract/run-config';
import type { TeacherTensors } from './layer-pairing';

/** What a loss sees for one batch. Features follow the layer lists of the prepared method. */
export interface LossInputs {
  studentLogits: tf.Tensor2D;
  labels: tf.Tensor1D;
  teacherLogits: tf.Tensor2D | null;
  studentFeatures: tf.Tensor[];
  teacherFeatures: tf.Tensor[];
  /** 1-based epoch of the phase, and how many it has. */
  epoch: number;
  /** Epochs done so far, fractional: 0 at the first step, 0.5 halfway through the first epoch. */
  progress: number;
  epochs: number;
  /** The batch's positions in the training split, for a method that remembers each image (CRD). */
  indices?: Int32Array;
}

/** A method made ready for one teacher/student pair. */
export interface PreparedMethod {
  /** Layer names whose outputs the loss needs, in the order it wants them. */
  studentFeatureLayers: string[];
  teacherFeatureLayers: string[];
  /** Trainables beyond the student's own (FitNets' regressor). */
  extraVariables: tf.Variable[];
  /** State that is not trained but must survive a resume (CRD's memory): checkpointed after `extraVariables`. */
  stateVariables?: tf.Variable[];
  loss(inputs: LossInputs): tf.Scalar;
  /** Called after each training step's update, outside the gradient: where a method updates its state. */
  afterStep?(): void;
  /** One line for the log: which layers were paired, and how. */
  description: string;
  dispose(): void;
}

export interface MethodContext {
  student: tf.LayersModel;
  teacher: tf.LayersModel | null;
  /** An imported teacher's inner tensors (names and shapes per image), where teacher is null. */
  teacherTensors?: TeacherTensors;
  /** The run's configuration; a method reads its own options from `config.methodOptions`. */
  config: RunConfig;
  /** How many images the training split holds (a method that remembers each, CRD, needs it). */
  trainImages?: number;
}

/** The engine's half of a method: the catalogue says what it is, this says how it trains. */
export interface MethodImplementation {
  prepare(context: MethodContext): PreparedMethod;
}

/** A distillation method, chosen by name from the registry (as mdistiller's distillers are). */
export type DistillationMethod = MethodImplementation & MethodEntry & { id: MethodId };

/** For methods without features or extra trainables. */
export function logitsOnly(loss: (inputs: LossInputs) => tf.Scalar, description: string): PreparedMethod {
  return { studentFeatureLayers: [], teacherFeatureLayers: [], extraVariables: [], loss, description, dispose: () => {} };
}
