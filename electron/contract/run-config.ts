import { z } from 'zod';

/** Backends a person can ask for; `auto` picks the fastest one available. */
export const BackendRequestSchema = z.enum(['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow']);
export type BackendRequest = z.infer<typeof BackendRequestSchema>;
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const MethodSchema = z.enum(['kd', 'baseline']);
export type Method = z.infer<typeof MethodSchema>;

export const OptimizerSchema = z.enum(['sgd', 'adam']);
export const ScheduleSchema = z.enum(['constant', 'step', 'cosine']);

/** Everything that decides a run. Stored as config.json in the run folder. */
export const RunConfigSchema = z.object({
  /** `mnist` (bundled) or a path to a dataset file or folder. */
  dataset: z.string().min(1),
  /** A model name from the registry, or a folder holding a saved teacher. */
  teacher: z.string().min(1),
  student: z.string().min(1),
  method: MethodSchema,
  temperature: z.number().finite().positive().max(1000),
  alpha: z.number().min(0).max(1),
  epochs: z.number().int().positive().max(10000),
  teacherEpochs: z.number().int().nonnegative().max(10000),
  batchSize: z.number().int().positive().max(65536),
  lr: z.number().finite().positive().max(100),
  optimizer: OptimizerSchema,
  momentum: z.number().min(0).max(0.9999),
  schedule: ScheduleSchema,
  /** Step schedule: multiply the rate by 0.1 at each of these epochs (1-based). */
  lrMilestones: z.array(z.number().int().positive()),
  weightDecay: z.number().min(0).max(1),
  /** Random shifts of up to this many pixels during teacher training (Hinton et al. used 2). */
  teacherJitter: z.number().int().min(0).max(8),
  studentJitter: z.number().int().min(0).max(8),
  teacherDropout: z.number().min(0).max(0.95),
  studentDropout: z.number().min(0).max(0.95),
  /** Train the same student alone, same seed and recipe, for the comparison. */
  trainBaseline: z.boolean(),
  limitTrain: z.number().int().positive().nullable(),
  limitTest: z.number().int().positive().nullable(),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  backend: BackendRequestSchema,
});
export type RunConfig = z.infer<typeof RunConfigSchema>;

/** What a caller may override; the rest comes from a preset. */
export const RunConfigOverridesSchema = RunConfigSchema.partial();
export type RunConfigOverrides = z.infer<typeof RunConfigOverridesSchema>;

export const PresetNameSchema = z.enum(['quick', 'hinton-mnist']);
export type PresetName = z.infer<typeof PresetNameSchema>;

export const RunRequestSchema = z.object({
  preset: PresetNameSchema.default('quick'),
  overrides: RunConfigOverridesSchema.default({}),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;
