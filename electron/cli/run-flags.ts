import type { z } from 'zod';
import { DATASET_FORMAT_CATALOGUE, DATASET_FORMAT_IDS, describeFlag, formatResizes, hasKdTerm, KD_TERM_FLAG, KD_TERM_SUFFIX, idleTeacherSettings, TEACHER_INPUT_SETTINGS, isNeededValue, METHOD_CATALOGUE, optionsInEffect, nullFlagWord, METHOD_IDS, neededFlag, needsMet, optionsOfMethod, optionsUnder, PRESET_IDS, presetConfig, RUN_SETTINGS, type AnyOption, type MethodId, type OptionTable, type RunSettingKey } from '../contract/catalogue';
import type { MethodOptions, PresetName, RunConfig, RunConfigOverrides } from '../contract/run-config';
import { issueText } from '../contract/api';
import { formatList } from '../contract/display';
import { datasetFormatOf, DistillInputError, resolveConfig, runTeacherOf, savedTeacherPath, teacherIsSaved } from '../engine';
import { choiceFlag, integerFlag, numberFlag } from './args';

/** Where a flag's value goes: a run setting, or one method's option (one flag may feed several). */
type FlagTarget = { setting: RunSettingKey } | { method: MethodId; key: string };
interface FlagSpec {
  option: AnyOption;
  targets: FlagTarget[];
}

/** Every flag of the catalogue: run settings first, then each method's options. */
function catalogueFlags(): Map<string, FlagSpec> {
  const flags = new Map<string, FlagSpec>();
  const add = (option: AnyOption, target: FlagTarget) => {
    const spec = flags.get(option.flag);
    if (spec) spec.targets.push(target);
    else flags.set(option.flag, { option, targets: [target] });
  };
  for (const [key, option] of Object.entries(RUN_SETTINGS) as Array<[RunSettingKey, AnyOption]>) add(option, { setting: key });
  for (const method of METHOD_IDS) {
    for (const [key, option] of Object.entries(METHOD_CATALOGUE[method].options as OptionTable)) add(option, { method, key });
  }
  return flags;
}

export const CATALOGUE_FLAGS = catalogueFlags();

/** The flags only the CLI has: where the run goes and how it prints. */
const CLI_ONLY = {
  preset: { type: 'string' },
  out: { type: 'string' },
  'runs-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

type ParseOption = { type: 'string' | 'boolean' };

/**
 * `--no-sweep` for `--sweep`, and so on for every on/off flag that turns something on: a preset
 * may have turned it on (auto sweeps and races DIST), and a flag alone could never turn it off.
 */
const offFlag = (flag: string, option: AnyOption): string | null => (option.kind === 'boolean' && !option.negated ? `no-${flag}` : null);

/** parseArgs options for `run` (and, without --method, `study`). */
export const RUN_FLAGS: Record<string, ParseOption> = {
  ...CLI_ONLY,
  ...Object.fromEntries([...CATALOGUE_FLAGS].map(([flag, spec]) => [flag, { type: spec.option.kind === 'boolean' ? 'boolean' : 'string' }])),
  ...Object.fromEntries([...CATALOGUE_FLAGS].flatMap(([flag, spec]) => (offFlag(flag, spec.option) ? [[offFlag(flag, spec.option)!, { type: 'boolean' }]] : []))),
};

export type FlagValues = Record<string, string | boolean | undefined>;

/** Usage text of the run flags, wrapped, from the catalogue; `omit` drops flags (study has no --method). */
export function runFlagsUsage(omit: string[] = [], indent = 12): string {
  const cli = [`[--preset ${PRESET_IDS.join('|')}]`];
  const settings = [...CATALOGUE_FLAGS].filter(([flag, spec]) => !omit.includes(flag) && 'setting' in spec.targets[0]!).map(([, spec]) => `[${describeFlag(spec.option)}]`);
  const methods = [...CATALOGUE_FLAGS].filter(([flag, spec]) => !omit.includes(flag) && 'method' in spec.targets[0]!).map(([, spec]) => `[${describeFlag(spec.option)}]`);
  return wrap([...cli, ...settings, '[--out DIR] [--runs-dir DIR] [--json]', ...methods], indent);
}

function wrap(words: string[], indent: number, width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function parseValue(flag: string, option: AnyOption, raw: string | boolean): unknown {
  switch (option.kind) {
    case 'boolean':
      return option.negated ? false : true;
    case 'number':
      return numberFlag(flag, raw as string);
    case 'integer':
      return integerFlag(flag, raw as string);
    case 'nullable-integer':
      return raw === nullFlagWord(option) ? null : integerFlag(flag, raw as string);
    case 'choice':
      return choiceFlag(flag, raw as string, option.choices);
    case 'integer-list':
      return (raw as string).split(',').map((part) => integerFlag(flag, part)!);
    case 'number-list':
      return (raw as string).split(',').map((part) => numberFlag(flag, part)!);
    case 'text':
    case 'string':
      return raw;
  }
}

/**
 * One catalogue option that is not a run setting (a study's --seeds), from its flag: parsed as
 * the run settings are, then checked against the option's range. Undefined when not given.
 */
export function optionFromFlag<T extends AnyOption>(option: T, raw: string | boolean | undefined): z.infer<T['schema']> | undefined {
  if (raw === undefined || raw === false) return undefined;
  const checked = option.schema.safeParse(parseValue(option.flag, option, raw));
  if (!checked.success) throw new DistillInputError(`invalid ${option.flag} ${JSON.stringify(raw)}: ${checked.error.issues[0] ? issueText(checked.error.issues[0]) : 'out of range'}`);
  return checked.data as z.infer<T['schema']>;
}

/**
 * A method's option that none of the methods in use reads (`--dkd-beta` for a KD run) would change
 * nothing: refused, naming the methods that read it and how to use one (`hint`). `trains` is each
 * student's method with the options it trains with (a study's `sp+kd` entry adds KD's soft term).
 */
export function refuseUnreadMethodFlags(values: FlagValues, trains: ReadonlyArray<{ method: MethodId; methodOptions: MethodOptions }>, what: 'run' | 'study' | 'sweep', hint: (method: MethodId) => string | null): void {
  const reads = (refs: Array<{ method: MethodId; key: string }>, target: FlagTarget) => refs.some((o) => 'method' in target && o.method === target.method && o.key === target.key);
  const read = (method: MethodId, target: FlagTarget) => reads(optionsOfMethod(method), target);
  const methods = [...new Set(trains.map((t) => t.method))];
  for (const [flag, spec] of CATALOGUE_FLAGS) {
    if (values[flag] === undefined || spec.targets.some((t) => 'setting' in t)) continue;
    if (trains.some(({ method, methodOptions }) => spec.targets.some((t) => reads(optionsInEffect(method, methodOptions), t)))) continue;
    // KD's T and warm-up act on a feature method only through the soft term it may add.
    const idleKdTerm = methods.filter((m) => hasKdTerm(m) && spec.targets.some((t) => read(m, t)));
    if (idleKdTerm.length > 0) {
      const label = formatList(idleKdTerm.map((m) => METHOD_CATALOGUE[m].label));
      const entry = what === 'study' ? `, or list ${idleKdTerm[0]}${KD_TERM_SUFFIX} in --methods` : '';
      throw new DistillInputError(`--${flag} acts on ${label} only through KD's soft term, which is off: add --${KD_TERM_FLAG} W (1 is Tian et al.'s)${entry}, or drop --${flag}`);
    }
    // Those that read it as they stand: KD's T is CRD's only once its soft term is on, so CRD is not named.
    const readers = METHOD_IDS.filter((m) => spec.targets.some((t) => reads(optionsInEffect(m, {}), t)));
    const label = (m: MethodId) => METHOD_CATALOGUE[m].label;
    const instead = readers.length === 1 ? hint(readers[0]!) : null;
    throw new DistillInputError(`--${flag} is read by ${formatList(readers.map(label))}; this ${what} trains with ${formatList(methods.map(label))} only: drop it${instead ? `, or ${instead}` : ''}`);
  }
}

/** Flags → overrides of the preset: only the flags given. */
export function overridesFromFlags(values: FlagValues): RunConfigOverrides {
  const overrides: Record<string, unknown> = {};
  const methodOptions: Record<string, Record<string, unknown>> = {};
  for (const [flag, spec] of CATALOGUE_FLAGS) {
    const off = offFlag(flag, spec.option);
    const raw = values[flag];
    const turnedOff = off !== null && values[off] === true;
    if (turnedOff && raw) throw new DistillInputError(`--${flag} and --${off} contradict each other: give one`);
    if (!turnedOff && (raw === undefined || raw === false)) continue;
    const value = turnedOff ? false : parseValue(flag, spec.option, raw!);
    for (const target of spec.targets) {
      if ('setting' in target) overrides[target.setting] = value;
      else (methodOptions[target.method] ??= {})[target.key] = value;
    }
  }
  if (Object.keys(methodOptions).length > 0) overrides.methodOptions = methodOptions;
  return overrides as RunConfigOverrides;
}

/**
 * `--threads` beside a run's saved config (`distill resume`, `study --from-run`): refused on a
 * backend that computes on no threads, as `distill run` refuses it.
 */
export function refuseIdleThreads(threads: number | null | undefined, backend: string, what: string): void {
  const { needs } = RUN_SETTINGS.threads;
  if (threads === undefined || !needs || needsMet(RUN_SETTINGS.threads, { backend })) return;
  throw new DistillInputError(`--threads changes nothing without ${neededFlag(needs)}: ${what} on ${backend} (add --backend wasm)`);
}

/**
 * `--image-size` acts only on a dataset whose images are resized (an image folder, a Parquet dataset): IDX and CIFAR
 * images keep the size they have. Which format a dataset is in is known only from its files.
 */
export async function refuseIdleImageSize(values: FlagValues, dataset: string): Promise<void> {
  if (values[RUN_SETTINGS.imageSize.flag] === undefined) return;
  const format = await datasetFormatOf(dataset);
  if (format === null || formatResizes(format)) return;
  const resized = DATASET_FORMAT_IDS.filter(formatResizes).map((id) => DATASET_FORMAT_CATALOGUE[id].label);
  throw new DistillInputError(`--${RUN_SETTINGS.imageSize.flag} changes nothing for ${dataset}: it is in ${DATASET_FORMAT_CATALOGUE[format].label} format, whose images keep their size; only ${resized.join(' or ')} datasets have their images resized (drop --${RUN_SETTINGS.imageSize.flag})`);
}

/**
 * Flags → a validated config: the preset's values with every given flag applied. `actsWith` is
 * what the command adds beyond the config when it trains (a study's `init+kd` starts from the
 * teacher), so that flags acting only there are not refused.
 */
export async function configFromFlags(values: FlagValues, fixed: RunConfigOverrides = {}, actsWith: Partial<RunConfig> = {}): Promise<RunConfig> {
  const preset: PresetName = choiceFlag('preset', values.preset as string | undefined, PRESET_IDS) ?? 'quick';
  if (typeof values.preset === 'boolean') throw new DistillInputError('--preset needs a name');
  const config = resolveConfig(preset, { ...overridesFromFlags(values), ...fixed });
  // An earlier run's teacher (`runs/<id>` or `runs/<id>/teacher`, which may hold the .onnx file it
  // was given) is fed as that run declared it, unless a flag here says otherwise.
  const fromRun = await runTeacherOf(config.teacher);
  if (fromRun) {
    const given = (key: RunSettingKey) => values[RUN_SETTINGS[key].flag] !== undefined;
    // One that run trained takes images as the app feeds its own models: an imported teacher's input flags would only feed it wrong.
    const wrong = fromRun.trainedHere ? TEACHER_INPUT_SETTINGS.filter(given) : [];
    if (wrong.length) throw new DistillInputError(`${formatList(wrong.map((key) => `--${RUN_SETTINGS[key].flag}`))} ${wrong.length === 1 ? 'says' : 'say'} how an imported teacher takes its images, but this teacher (${fromRun.teacher}) was trained by its run and takes them as this app feeds its own models: drop ${wrong.length === 1 ? 'it' : 'them'}`);
    Object.assign(config, { teacher: fromRun.teacher }, Object.fromEntries(Object.entries(fromRun.declaration).filter(([key]) => !given(key as RunSettingKey))));
  } else {
    config.teacher = await savedTeacherPath(config.teacher);
  }
  refuseIdleFlags(values, { ...config, ...actsWith });
  return config;
}

/** The flags of the settings that act under `setting` (the sweep's grid under `sweep`), from the catalogue. */
export const flagsUnder = (setting: RunSettingKey): string[] => optionsUnder(setting).map((o) => o.flag);

/**
 * Flags that would change nothing are refused, naming what they act under: the teacher's
 * training settings with a saved teacher, which is loaded rather than trained, and how a teacher
 * takes its images when it is trained here (first: they are often why a `needs` below is unmet);
 * then a setting whose `needs` ends up unmet (the sweep's grid without the sweep, the jitter
 * share with no jitter).
 */
function refuseIdleFlags(values: FlagValues, config: RunConfig): void {
  const saved = teacherIsSaved(config);
  const idle = idleTeacherSettings(saved);
  const idleFlag = idle.map((key) => RUN_SETTINGS[key].flag).find((flag) => values[flag] !== undefined);
  if (idleFlag && saved) throw new DistillInputError(`--${idleFlag} changes nothing with a saved teacher: ${config.teacher} is loaded, not trained (drop --${idleFlag})`);
  if (idleFlag) throw new DistillInputError(`--${idleFlag} changes nothing with a teacher trained here: it says how a saved or imported teacher (a model folder or an .onnx file) takes its images, and ${config.teacher} is trained on this app's own (drop --${idleFlag})`);
  for (const option of Object.values(RUN_SETTINGS as OptionTable)) {
    if (!option.needs || values[option.flag] === undefined || needsMet(option, config, idle)) continue;
    const { needs } = option;
    if ('anyOf' in needs) {
      const live = needs.anyOf.filter((key) => !(idle as readonly string[]).includes(key));
      const why = live.length < needs.anyOf.length ? ` (${config.teacher} is loaded, not trained)` : '';
      const needed = neededFlag({ ...needs, anyOf: live });
      throw new DistillInputError(`--${option.flag} changes nothing without ${needed}${why}: set ${live.length > 1 ? 'one of them' : 'it'} above ${needs.above}, or drop --${option.flag}`);
    }
    const needed = neededFlag(needs);
    // Whether the person gave the needed setting (either form of an on/off flag): then "use", not "add".
    const given = (key: string) => {
      const setting = (RUN_SETTINGS as OptionTable)[key]!;
      return [setting.flag, offFlag(setting.flag, setting)].some((flag) => flag !== null && values[flag] !== undefined);
    };
    if ('anyOn' in needs) throw new DistillInputError(`--${option.flag} changes nothing without ${needed}: ${needs.anyOn.some(given) ? 'use' : 'add'} one of them, or drop --${option.flag}`);
    const key = needs.setting as RunSettingKey;
    // A preset is worth naming only when presets differ here (every preset trains with SGD), and
    // only when the flag is not given: a given flag overrides every preset.
    const matching = PRESET_IDS.filter((id) => isNeededValue(needs.value, presetConfig(id)[key]));
    const presets = given(key) || matching.length === PRESET_IDS.length ? [] : matching.filter((id) => id !== values.preset);
    const several = presets.length > 1;
    const turnedOn = presets.length ? `, or use --preset ${presets.join(' or ')}, which ${needs.value === true ? (several ? 'turn it on' : 'turns it on') : several ? 'use it' : 'uses it'}` : '';
    throw new DistillInputError(`--${option.flag} changes nothing without ${needed}: ${given(key) ? 'use' : 'add'} ${needed}${turnedOn}`);
  }
}
