import type * as tf from '@tensorflow/tfjs';

/** What an export format module gets: a saved model folder of a run, and where to write. */
export interface ExportJob {
  /** A run's `teacher/`, `student/` or `baseline/` folder (TensorFlow.js LayersModel). */
  modelDir: string;
  /** The folder to create; it must not exist yet. */
  destination: string;
  /**
   * Training images as pixels / 255 (a TFLite file's input: the normalisation is inside it), for a
   * format that calibrates on them (full-integer TFLite); null when the model's dataset is not at hand.
   */
  calibrationImages: () => Promise<tf.Tensor4D | null>;
}

/** One export format (one module per format, chosen from the registry by catalogue id). */
export interface Exporter {
  /** Writes the model's files into `destination` (created); returns their paths. */
  write(job: ExportJob): Promise<string[]>;
}
