import { z } from 'zod';
import { BackendRequestSchema } from './run-config';

export const PhaseSchema = z.enum(['teacher', 'student', 'baseline']);
export type Phase = z.infer<typeof PhaseSchema>;

/** On webgpu, how training steps run: replaying a recorded step (compiled), or eagerly, with why. */
export const StepModeSchema = z.object({
  compiled: z.boolean(),
  note: z.string(),
});
export type StepMode = z.infer<typeof StepModeSchema>;

/** Sent every few steps while a phase trains; metrics.jsonl keeps a few per epoch, for a reopened run's loss curve. */
export const TrainerProgressEventSchema = z.object({
  type: z.literal('progress'),
  phase: PhaseSchema,
  epoch: z.number().int(),
  epochs: z.number().int(),
  step: z.number().int(),
  steps: z.number().int(),
  loss: z.number(),
  accuracy: z.number(),
  imgPerSec: z.number(),
  etaSec: z.number(),
  lr: z.number(),
  /** In a study: which method this student is trained with. */
  method: z.string().optional(),
  /** On webgpu: whether steps replay a recorded step, or run through tfjs eagerly and why. */
  stepMode: StepModeSchema.optional(),
  /** A model trained on the way to the lane's own: a width the selection steps prune through (`mlp-415x2`). */
  via: z.string().optional(),
});
export type TrainerProgressEvent = z.infer<typeof TrainerProgressEventSchema>;

/** Sent once per epoch with the test-split evaluation: metrics.jsonl's main lines. */
export const EpochEndEventSchema = z.object({
  type: z.literal('epoch'),
  phase: PhaseSchema,
  epoch: z.number().int(),
  epochs: z.number().int(),
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  testAccuracy: z.number(),
  testLoss: z.number(),
  /** With a validation split: accuracy on it (what choices are made on). */
  valAccuracy: z.number().optional(),
  seconds: z.number(),
  method: z.string().optional(),
});
export type EpochEndEvent = z.infer<typeof EpochEndEventSchema>;

/** Which epoch's weights a model kept (the best on the validation split), and where early stopping ended its training (null: it ran every epoch). */
export const SelectionSchema = z.object({ bestEpoch: z.number().int().positive(), stoppedEarly: z.number().int().positive().nullable(), epochs: z.number().int().positive() });
export type Selection = z.infer<typeof SelectionSchema>;

export const PhaseEventSchema = z.object({
  type: z.literal('phase'),
  phase: PhaseSchema,
  /** `resumed`: a resumed run goes on from the phase's last checkpoint; `loaded`: done before (or a saved teacher). */
  status: z.enum(['start', 'resumed', 'done', 'loaded', 'skipped']),
  model: z.string(),
  method: z.string().optional(),
  /** What the method paired or copied, for the log. */
  detail: z.string().optional(),
  /** With a validation split, on `done`: the epoch whose weights the model kept, and where early stopping ended it. */
  selection: SelectionSchema.optional(),
});
export type PhaseEvent = z.infer<typeof PhaseEventSchema>;

export const BackendInfoSchema = z.object({
  name: BackendRequestSchema.exclude(['auto']),
  device: z.string(),
  reason: z.string(),
  /** CPU threads the backend computes on (wasm, cpu); absent where the device decides (GPU, libtensorflow). */
  threads: z.number().int().positive().optional(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

export const RunStartedEventSchema = z.object({
  type: z.literal('started'),
  runId: z.string(),
  outDir: z.string(),
  backend: BackendInfoSchema,
  /** Set when this start goes on from an earlier one's checkpoints (`distill resume`, History's Resume). */
  resumed: z.boolean().optional(),
});
export type RunStartedEvent = z.infer<typeof RunStartedEventSchema>;

export const ModelReportSchema = z.object({
  name: z.string(),
  accuracy: z.number(),
  testLoss: z.number(),
  params: z.number().int(),
  bytes: z.number().int(),
  latencyMs: z.number(),
  /** Set when latencyMs comes from a side-by-side timing whose rounds never settled: other work held the cores, so the speed-up may be off. */
  timedWhileBusy: z.boolean().optional(),
  /** Multiply–accumulates per image (absent in runs saved before it was recorded). */
  macs: z.number().int().optional(),
  /** confusion[true class][predicted class] on the test split. */
  confusion: z.array(z.array(z.number().int())),
  /** A teacher brought as an ONNX file or a TensorFlow.js GraphModel: it runs as it was given and is kept so, so there is nothing to export but that file. */
  runsAsGiven: z.enum(['ONNX', 'TensorFlow.js GraphModel']).optional(),
});
export type ModelReport = z.infer<typeof ModelReportSchema>;

/** One cell of a T × α sweep, scored on the validation split (`distill sweep`, `--sweep`). */
export const SweepCellEventSchema = z.object({
  type: z.literal('sweep-cell'),
  /** The cell's place in the grid, T by T then α by α, from 1; a finalist keeps its grid number. */
  cell: z.number().int(),
  /** How many cells the sweep trains in all, the finalists' second round included, as far as is known when this cell finished (finalists that cannot come are not counted). */
  cells: z.number().int(),
  temperature: z.number(),
  alpha: z.number(),
  valAccuracy: z.number(),
  /** The cell did not train: its loss stopped being a number or it predicts no better than chance (the learning rate is too high for this T and α); never chosen. */
  diverged: z.boolean().optional(),
  seconds: z.number(),
  /** 2 for a finalist trained again on every training image (successive halving); absent for the grid's short round. */
  round: z.literal(2).optional(),
  /** A finalist that started from the teacher's weights (weight selection, or a copy where shapes agree) instead of at random; it shares the grid number of the cell whose T and α it uses. */
  init: z.literal(true).optional(),
  /** Trained before the run was resumed, and replayed from the run folder rather than trained again. */
  kept: z.literal(true).optional(),
});
export type SweepCellEvent = z.infer<typeof SweepCellEventSchema>;

type ScoredCell = Pick<SweepCellEvent, 'valAccuracy' | 'diverged'>;
/** How cells rank: by validation accuracy, a cell that did not train below every one that did. */
export const sweepCellScore = (cell: ScoredCell) => (cell.diverged ? -1 : cell.valAccuracy);
/** Cells best first (a cell that did not train last); ties keep grid order, the milder setting first. */
export function rankSweepCells<C extends ScoredCell & Pick<SweepCellEvent, 'cell'>>(cells: readonly C[]): C[] {
  return [...cells].sort((a, b) => sweepCellScore(b) - sweepCellScore(a) || a.cell - b.cell);
}
/** The sweep's choice (the engine's, and the heatmap's while it fills): ties go to the earlier cell; null for none. */
export function bestSweepCell<C extends ScoredCell>(cells: readonly C[]): C | null {
  return cells.reduce<C | null>((a, c) => (!a || sweepCellScore(c) > sweepCellScore(a) ? c : a), null);
}

const SweepCellSchema = SweepCellEventSchema.omit({ type: true, cells: true, round: true, kept: true });

/**
 * The sweep's choice: the best finalist trained on every image, or the grid's best when there were
 * none or none of them trained (the engine's, and the heatmap's). Ties go to the earlier grid cell:
 * the smaller T, then the smaller α, the milder setting; and to a random start over the teacher's weights.
 */
export function sweepChoice<C extends ScoredCell & Pick<SweepCellEvent, 'cell' | 'init'>>(cells: readonly C[], finals: readonly C[]): C | null {
  return bestSweepCell(finals.some((c) => !c.diverged) ? [...finals].sort((a, b) => a.cell - b.cell || Number(a.init ?? false) - Number(b.init ?? false)) : cells);
}

/** How many finalists started at random: the grid's best cells trained again, without the one from the teacher's weights. */
export function randomStartFinalists(cells: readonly Pick<SweepCellEvent, 'init'>[]): number {
  return cells.filter((c) => !c.init).length;
}

/** A finished sweep: every cell, the best one, and what each cell trained on. */
export const SweepResultSchema = z.object({
  temperatures: z.array(z.number()),
  alphas: z.array(z.number()),
  cells: z.array(SweepCellSchema),
  /** The grid's best cells trained again on every training image, the same epochs each, and the best of them again from the teacher's weights where the teacher can give them; the best of these is the choice (absent when the grid alone chose). */
  finals: z.object({ images: z.number().int(), cells: z.array(SweepCellSchema) }).optional(),
  /** init: the choice starts the student from the teacher's weights (the run then trains it so). */
  best: z.object({ temperature: z.number(), alpha: z.number(), valAccuracy: z.number(), init: z.literal(true).optional() }),
  epochs: z.number().int(),
  images: z.number().int(),
  validationImages: z.number().int(),
  student: z.string(),
  seconds: z.number(),
});
export type SweepResult = z.infer<typeof SweepResultSchema>;

export const RunStatusSchema = z.enum(['running', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** `--restarts N`: one role's seeds, each one's validation and test accuracy, and the seed kept (the best on validation). */
export const RestartsSchema = z.object({ seeds: z.array(z.number().int()), valAccuracies: z.array(z.number().nullable()), accuracies: z.array(z.number()), kept: z.number().int() });
export type Restarts = z.infer<typeof RestartsSchema>;

/** result.json, and the CLI's final JSON line. */
export const RunResultSchema = z.object({
  type: z.literal('result'),
  runId: z.string(),
  status: z.literal('completed'),
  teacher: ModelReportSchema.nullable(),
  student: ModelReportSchema.nullable(),
  baseline: ModelReportSchema.nullable(),
  /** KD student accuracy minus the accuracy of the same student trained alone. */
  kdGain: z.number().nullable(),
  backend: BackendInfoSchema,
  outDir: z.string(),
  seconds: z.number(),
  /** How many times the run was resumed after a crash or a cancel before it completed. */
  resumed: z.number().int().optional(),
  /** The T × α sweep the run chose its KD settings by (`--sweep`). */
  sweep: SweepResultSchema.optional(),
  /** The dataset's class names, in the order of the confusion matrices (absent in older runs). */
  classNames: z.array(z.string()).optional(),
  /** What the recipe chose and why, in words (best epochs, early stopping, the sweep's winner). */
  choices: z.array(z.string()).optional(),
  /** `--try-dist`: the method of the student kept, KD's or DIST's (config.json says the same). */
  studentMethod: z.enum(['kd', 'dist']).optional(),
  /** Each model this run trained with a validation split: the epoch it kept and where it stopped (the advice reads it). */
  selection: z.object({ teacher: SelectionSchema.optional(), student: SelectionSchema.optional(), baseline: SelectionSchema.optional() }).optional(),
  /** `--restarts N`: the seeds each student trained with and which one the run kept. */
  restarts: z.object({ student: RestartsSchema.optional(), baseline: RestartsSchema.optional() }).optional(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

export const RunEventSchema = z.discriminatedUnion('type', [
  RunStartedEventSchema,
  PhaseEventSchema,
  TrainerProgressEventSchema,
  EpochEndEventSchema,
  SweepCellEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;

export const StudyRowSchema = z.object({
  /** `kd`, `fitnet`, … or `init+kd` (weights from the teacher, then KD). */
  method: z.string(),
  label: z.string(),
  accuracy: z.number(),
  /** Accuracy minus the student-alone accuracy, when the study trained it. */
  gain: z.number().nullable(),
  seconds: z.number(),
  params: z.number().int(),
  /** Layers paired, weights copied: what the method did. */
  detail: z.string(),
  /** confusion[true class][predicted class] on the test split (absent in studies saved before it was kept). */
  confusion: z.array(z.array(z.number().int())).optional(),
  /** Milliseconds per image; every row is the same architecture, so one timing serves all (absent in studies saved before it was kept). */
  latencyMs: z.number().optional(),
  /** As a run's ModelReport.timedWhileBusy. */
  timedWhileBusy: z.boolean().optional(),
  /**
   * A study with several seeds (`--seeds N`): every seed's test accuracy, and the gain as the mean
   * of the seed-by-seed gains (this seed's accuracy minus the student alone's at the same seed)
   * with its standard error. The row's own accuracy, confusion and saved student are the first seed's.
   */
  seeds: z
    .object({
      seeds: z.array(z.number().int()),
      accuracies: z.array(z.number()),
      meanAccuracy: z.number(),
      meanGain: z.number().nullable(),
      gainStdErr: z.number().nullable(),
    })
    .optional(),
});
export type StudyRow = z.infer<typeof StudyRowSchema>;

/** study.json, and `distill study --json`'s final line. */
export const StudyResultSchema = z.object({
  type: z.literal('study'),
  runId: z.string(),
  teacher: ModelReportSchema.nullable(),
  student: z.string(),
  rows: z.array(StudyRowSchema),
  classNames: z.array(z.string()).optional(),
  backend: BackendInfoSchema,
  outDir: z.string(),
  seconds: z.number(),
  resumed: z.number().int().optional(),
});
export type StudyResult = z.infer<typeof StudyResultSchema>;
