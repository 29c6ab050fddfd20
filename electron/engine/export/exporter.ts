/** What an export format module gets: a saved model folder of a run, and where to write. */
export interface ExportJob {
  /** A run's `teacher/`, `student/` or `baseline/` folder (TensorFlow.js LayersModel). */
  modelDir: string;
  /** The folder to create; it must not exist yet. */
  destination: string;
}

/** One export format (one module per format, chosen from the registry by catalogue id). */
export interface Exporter {
  /** Writes the model's files into `destination` (created); returns their paths. */
  write(job: ExportJob): Promise<string[]>;
}
