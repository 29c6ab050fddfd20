import { z } from 'zod';
import { METHOD_CATALOGUE, METHOD_IDS, methodOptionDefaults, type MethodId } from './catalogue/methods';
import { optionsSchema, type SchemaOf, type ValuesOf } from './catalogue/options';
import { PRESET_IDS } from './catalogue/presets';
import { BACKEND_IDS, RUN_SETTINGS } from './catalogue/run-settings';

/** Backends a person can ask for; `auto` picks the fastest one available. */
export const BackendRequestSchema = z.enum(BACKEND_IDS);
export type BackendRequest = z.infer<typeof BackendRequestSchema>;
export type BackendName = Exclude<BackendRequest, 'auto'>;

export const MethodSchema = z.enum(METHOD_IDS);
export type Method = MethodId;

type MethodOptionTables = { [M in MethodId]: (typeof METHOD_CATALOGUE)[M]['options'] };
/** Each method's options under its name (`methodOptions.dkd.beta`), as mdistiller's CFG.DKD.BETA. */
export type MethodOptions = { [M in MethodId]: ValuesOf<MethodOptionTables[M]> };

const methodTables = Object.fromEntries(METHOD_IDS.map((id) => [id, METHOD_CATALOGUE[id].options])) as MethodOptionTables;

export const MethodOptionsSchema = z.object(Object.fromEntries(METHOD_IDS.map((id) => [id, optionsSchema(methodTables[id])]))) as unknown as z.ZodObject<{ [M in MethodId]: SchemaOf<MethodOptionTables[M]> }>;

/** Every method's catalogue defaults. */
export const defaultMethodOptions = (): MethodOptions => methodOptionDefaults() as MethodOptions;

const RunConfigFields = optionsSchema(RUN_SETTINGS).extend({ methodOptions: MethodOptionsSchema });
/** Everything that decides a run. Stored as config.json in the run folder. */
export type RunConfig = z.infer<typeof RunConfigFields>;

/** Flat fields of config.json files written before options were namespaced per method. */
const LEGACY_METHOD_FIELDS: Record<string, Array<[MethodId, string]>> = {
  temperature: [['kd', 'temperature']],
  alpha: [['kd', 'alpha']],
  featurePairs: [['fitnet', 'featurePairs'], ['at', 'featurePairs']],
  hintEpochs: [['fitnet', 'hintEpochs']],
  atWeight: [['at', 'weight']],
  dkdAlpha: [['dkd', 'alpha']],
  dkdBeta: [['dkd', 'beta']],
  dkdWarmup: [['dkd', 'warmup']],
};
/** Method options added later whose default differs from what older runs did: older files keep what they did (KD and DIST trained without a warm-up). */
const LATER_METHOD_OPTIONS: Partial<Record<MethodId, Record<string, unknown>>> = { kd: { warmup: 0 }, dist: { warmup: 0 } };
/** Settings added after the first runs were saved: older files take the catalogue default. */
const LATER_SETTINGS = ['initFromTeacher', 'flip', 'imageSize', 'teacherInputRange', 'teacherNormalization', 'teacherMeanStd', 'teacherResize', 'validationSplit', 'teacherPatience', 'sweep', 'sweepTemperatures', 'sweepAlphas', 'sweepEpochs', 'sweepImages', 'sweepFinalists', 'sweepFromTeacher', 'plateauPatience', 'studentPatience', 'threads', 'compiledStep', 'jitterShare', 'tryDist', 'restarts', 'selectionSteps', 'ensemble'] as const;

/** An older config.json → today's shape; a current one passes through unchanged. */
export function migrateRunConfig(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const config: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const stored = (config.methodOptions && typeof config.methodOptions === 'object' ? config.methodOptions : {}) as Record<string, Record<string, unknown>>;
  const methodOptions = defaultMethodOptions() as Record<string, Record<string, unknown>>;
  for (const id of METHOD_IDS) methodOptions[id] = { ...methodOptions[id], ...LATER_METHOD_OPTIONS[id], ...stored[id] };
  // DIST read KD's warm-up before it had its own: a file from then keeps what it trained with.
  if (stored.dist?.warmup === undefined && stored.kd?.warmup !== undefined) methodOptions.dist!.warmup = stored.kd.warmup;
  for (const [field, targets] of Object.entries(LEGACY_METHOD_FIELDS)) {
    if (!(field in config)) continue;
    for (const [method, key] of targets) methodOptions[method]![key] = config[field];
    delete config[field];
  }
  for (const key of LATER_SETTINGS) if (!(key in config)) config[key] = RUN_SETTINGS[key].default;
  return { ...config, methodOptions };
}

export const RunConfigSchema = z.preprocess(migrateRunConfig, RunConfigFields);

const methodOverrides = Object.fromEntries(METHOD_IDS.map((id) => [id, optionsSchema(methodTables[id]).partial().strict()]));
/** What a caller may override; the rest comes from a preset. Method options merge per option. */
export const RunConfigOverridesSchema = optionsSchema(RUN_SETTINGS)
  .partial()
  .extend({ methodOptions: (z.object(methodOverrides).partial().strict() as unknown as z.ZodType<{ [M in MethodId]?: Partial<MethodOptions[M]> }>).optional() })
  .strict();
export type RunConfigOverrides = z.infer<typeof RunConfigOverridesSchema>;

export const PresetNameSchema = z.enum(PRESET_IDS);
export type PresetName = z.infer<typeof PresetNameSchema>;

export const RunRequestSchema = z
  .object({
    preset: PresetNameSchema.default('quick'),
    overrides: RunConfigOverridesSchema.default({}),
  })
  .strict();
export type RunRequest = z.infer<typeof RunRequestSchema>;
