import type { ModelFamilyId } from '../../contract/catalogue';
import type * as tf from '@tensorflow/tfjs';

export interface BuildOptions {
  /** [height, width, channels] of the dataset. */
  inputShape: [number, number, number];
  classes: number;
  /** Seeds every initializer, so the KD student and the student alone start identical. */
  seed: number;
  /** Dropout on hidden layers (0: none). */
  dropout: number;
}

/** A family of architectures: `parse` recognises names, `build` makes a LayersModel that outputs logits. */
export interface ModelFamily {
  id: ModelFamilyId;
  /** Names shown in pickers and `distill models` (from the catalogue). */
  examples: readonly string[];
  description: string;
  parse(name: string): object | null;
  build(spec: object, options: BuildOptions): tf.LayersModel;
  /**
   * Trainable parameters, or an upper bound, without building: checked before a build, since
   * building allocates every weight (mlp-8192x16 on 512-pixel images would take gigabytes).
   * Families without it are bounded by their width multiplier (see `checkModelScale`).
   */
  estimateParams?(spec: object, options: Pick<BuildOptions, 'inputShape' | 'classes'>): number;
}
