import { z } from 'zod';

/** Backends a person can ask for; `auto` picks the fastest one available. */
export const BackendRequestSchema = z.enum(['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow']);
export type BackendRequest = z.infer<typeof BackendRequestSchema>;
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const MethodSchema = z.enum(['kd', 'baseline', 'fitnet', 'at', 'dkd']);
export type Method = z.infer<typeof MethodSchema>;

export const OptimizerSchema = z.enum(['sgd', 'adam']);
export const ScheduleSchema = z.enum(['constant', 'step', 'cosine']);

/** The settings of the methods beyond Hinton KD (added later: older config.json files lack them). */
const METHOD_FIELDS = {
  /** Copy teacher weights into the student where shapes allow, before training. */
  initFromTeacher: z.boolean(),
  /** Feature pairs for fitnet/at, `studentLayer:teacherLayer[,…]`; null picks per architecture. */
  featurePairs: z.string().regex(/^[\w-]+:[\w-]+(,[\w-]+:[\w-]+)*$/, 'expected studentLayer:teacherLayer[,…]').nullable(),
  /** FitNets: epochs of hint training before KD; null is a quarter of the epochs (at least 1). */
  hintEpochs: z.number().int().min(0).max(10000).nullable(),
  /** Attention transfer's weight (Zagoruyko & Komodakis; mdistiller uses 1000). */
  atWeight: z.number().min(0).max(1e6),
  /** DKD's target-class (α) and non-target-class (β) weights and warm-up epochs (Zhao et al.: 1, 8, 20 of 240). */
  dkdAlpha: z.number().min(0).max(100),
  dkdBeta: z.number().min(0).max(100),
  dkdWarmup: z.number().int().min(0).max(10000),
  /** Mirror training images left–right at random (the CIFAR recipe), for teacher and student. */
  flip: z.boolean(),
  /** Image folders are resized to this many pixels square. */
  imageSize: z.number().int().min(8).max(512),
};

const METHOD_DEFAULTS = { initFromTeacher: false, featurePairs: null, hintEpochs: null, atWeight: 1000, dkdAlpha: 1, dkdBeta: 8, dkdWarmup: 1, flip: false, imageSize: 32 };

const RunConfigFields = z.object({
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
  ...METHOD_FIELDS,
});
/** Everything that decides a run. Stored as config.json in the run folder. */
export const RunConfigSchema = z.preprocess(
  (value) => (value && typeof value === 'object' ? { ...METHOD_DEFAULTS, ...value } : value),
  RunConfigFields,
);
export type RunConfig = z.infer<typeof RunConfigFields>;

/** What a caller may override; the rest comes from a preset. */
export const RunConfigOverridesSchema = RunConfigFields.partial().strict();
export type RunConfigOverrides = z.infer<typeof RunConfigOverridesSchema>;

export const PresetNameSchema = z.enum(['quick', 'hinton-mnist', 'vgg19-vgg11-cifar10', 'resnet34-resnet18-cifar10', 'resnet56-resnet20-cifar100']);
export type PresetName = z.infer<typeof PresetNameSchema>;

export const RunRequestSchema = z.object({
  preset: PresetNameSchema.default('quick'),
  overrides: RunConfigOverridesSchema.default({}),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;
