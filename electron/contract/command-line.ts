import { idleTeacherSettings, METHOD_CATALOGUE, needsMet, nullFlagWord, optionsOfMethod, PRESET_IDS, presetConfig, RUN_SETTINGS, STUDY_SEEDS, type AnyOption, type StudyEntryParts, type MethodId, type OptionTable, type PresetId, type RunSettingKey } from './catalogue';
import type { RunConfig } from './run-config';

/**
 * What a finished run was, as the command that makes it: `distill run`, `distill sweep` (a sweep
 * on its own), or `distill study` with its entries (`kd`, `init+kd`, `sp+kd`: method, start, soft term) and seeds.
 */
export type RunCommandKind =
  | { command: 'run' }
  | { command: 'sweep' }
  | { command: 'study'; entries: ReadonlyArray<StudyEntryParts & { name: string }>; seeds: number };

/** The methods a run trains with: its own, DIST when it races DIST (`--try-dist`), KD when it sweeps. */
export function methodsOfRun(config: Pick<RunConfig, 'method' | 'tryDist' | 'sweep'>): MethodId[] {
  return [...new Set<MethodId>([config.method, ...(config.tryDist ? (['dist'] as const) : []), ...(config.sweep ? (['kd'] as const) : [])])];
}

/**
 * Settings each command fixes itself, so it takes no flag for them (or refuses it): a sweep tunes
 * KD for --sweep-epochs and trains no student alone; a study compares methods and seeds itself.
 */
const FIXED_BY: Record<RunCommandKind['command'], readonly RunSettingKey[]> = {
  run: [],
  sweep: ['method', 'sweep', 'epochs', 'trainBaseline'],
  study: ['method', 'tryDist', 'restarts'],
};

/** The words that give `value` for `option` on the command line, or null where no flag can say it (an empty list). */
function flagWords(option: AnyOption, value: unknown): string[] | null {
  const flag = `--${option.flag}`;
  switch (option.kind) {
    case 'boolean':
      // `--no-baseline` turns its setting off; `--no-sweep` turns off what `--sweep` turns on.
      if (option.negated) return value === false ? [flag] : null;
      return [value ? flag : `--no-${option.flag}`];
    case 'nullable-integer':
      return [flag, value === null ? nullFlagWord(option) : String(value)];
    case 'text':
      return value === null ? null : [flag, String(value)];
    case 'integer-list':
    case 'number-list':
      return (value as number[]).length ? [flag, (value as number[]).join(',')] : null;
    default:
      return [flag, String(value)];
  }
}

const SWEPT_KD_OPTIONS: readonly string[] = ['temperature', 'alpha'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The settings and method options that act in this run, as the CLI judges them: a loaded
 * teacher's training settings do not, nor does a setting whose `needs` is unmet (the sweep's grid
 * without the sweep), nor a method's option that none of its methods reads. `idle` adds settings
 * the caller knows to act on nothing (the image size of a dataset whose images keep theirs).
 */
export function actingOptions(config: RunConfig, kind: RunCommandKind, teacherLoaded: boolean, idle: readonly RunSettingKey[] = []) {
  const idleTeacher = idleTeacherSettings(teacherLoaded);
  // A study's init+ entries start from the teacher, where weight selection's steps act.
  const judged = kind.command === 'study' && kind.entries.some((e) => e.initFromTeacher) ? { ...config, initFromTeacher: true } : config;
  const settings = (Object.entries(RUN_SETTINGS) as Array<[RunSettingKey, AnyOption]>).filter(
    ([key, option]) => !FIXED_BY[kind.command].includes(key) && !idle.includes(key) && !idleTeacher.includes(key) && needsMet(option, judged, idleTeacher),
  );
  const methods = kind.command === 'study' ? [...new Set(kind.entries.map((e) => e.method))] : kind.command === 'sweep' ? (['kd'] as MethodId[]) : methodsOfRun(config);
  const methodOptions = methods
    .flatMap((method) => optionsOfMethod(method))
    .filter((o, i, all) => all.findIndex((p) => p.method === o.method && p.key === o.key) === i)
    // A sweep (on its own, or in a run) sets KD's T and α cell by cell, then to its choice, which
    // the config keeps: they are the grid's to say.
    .filter((o) => !((kind.command === 'sweep' || config.sweep) && o.method === 'kd' && SWEPT_KD_OPTIONS.includes(o.key)));
  return { settings, methodOptions };
}

/** The flags that turn `base` (a preset) into `config`; null when one of its values no flag can give. */
function flagsFrom(base: RunConfig, config: RunConfig, acting: ReturnType<typeof actingOptions>): string[] | null {
  const words: string[] = [];
  const flagsGiven = new Set<string>();
  for (const [key, option] of acting.settings) {
    if (same(config[key], base[key])) continue;
    const given = flagWords(option, config[key]);
    if (!given) return null;
    words.push(...given);
  }
  for (const { method, key } of acting.methodOptions) {
    const option = (METHOD_CATALOGUE[method].options as OptionTable)[key]!;
    const value = (config.methodOptions[method] as Record<string, unknown>)[key];
    // One flag may feed several methods' options (--feature-pairs: FitNets' and AT's): given once.
    if (flagsGiven.has(option.flag) || same(value, (base.methodOptions[method] as Record<string, unknown>)[key])) continue;
    const given = flagWords(option, value);
    if (!given) return null;
    flagsGiven.add(option.flag);
    words.push(...given);
  }
  return words;
}

/** The preset a run's settings are nearest to (the fewest flags from it), with those flags; null when no preset and flags can say them. */
export function nearestPreset(config: RunConfig, kind: RunCommandKind, teacherLoaded: boolean, idle: readonly RunSettingKey[] = []): { preset: PresetId; flags: string[] } | null {
  const acting = actingOptions(config, kind, teacherLoaded, idle);
  let best: { preset: PresetId; flags: string[] } | null = null;
  for (const preset of PRESET_IDS) {
    const flags = flagsFrom(presetConfig(preset), config, acting);
    if (flags && (!best || flags.length < best.flags.length)) best = { preset, flags };
  }
  return best;
}

/**
 * The `distill` command line (its words, after `distill`) that trains this run again: the preset
 * that needs the fewest flags (always named: `distill run` says which it took otherwise), then a flag for every acting setting that differs from it. The
 * runs are deterministic on one backend, so it gives the same models. Where to write and how to
 * print are left out. Null when no preset and flags can say the run's settings.
 */
export function commandLineOf(config: RunConfig, kind: RunCommandKind, teacherLoaded: boolean, idle: readonly RunSettingKey[] = []): string[] | null {
  const best = nearestPreset(config, kind, teacherLoaded, idle);
  if (!best) return null;
  const study = kind.command === 'study' ? ['--methods', kind.entries.map((e) => e.name).join(','), ...(kind.seeds === STUDY_SEEDS.default ? [] : [`--${STUDY_SEEDS.flag}`, String(kind.seeds)])] : [];
  return [kind.command, '--preset', best.preset, ...study, ...best.flags];
}

/**
 * How a command's words are quoted: for a POSIX shell (sh, bash, zsh), or for Windows, where
 * PowerShell is the usual shell and cmd the old one. PowerShell reads an unquoted `2,4` as an
 * array (which npm's shim passes on as two words), and cmd takes no single quotes, so Windows
 * quotes with double quotes, which both read the same wherever a word holds no `$`, backtick,
 * `"` or `%`; such a rare word gets PowerShell's single quotes.
 */
export type ShellQuoting = 'posix' | 'windows';

/** A word as the shell reads it back: quoted when it holds anything but plain path characters. */
export function shellWord(word: string, quoting: ShellQuoting = 'posix'): string {
  if (quoting === 'posix') return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
  // Not `@` first: PowerShell reads it as splatting.
  if (/^[\w+=:./\\-][\w@+=:./\\-]*$/.test(word)) return word;
  // PowerShell takes the typographic single quotes for quotes too; each is escaped by doubling.
  return /[$`"%]/.test(word) ? `'${word.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'` : `"${word}"`;
}

/** `distill …` as a person types it into a shell. */
export const shellLine = (words: readonly string[], quoting: ShellQuoting = 'posix') => ['distill', ...words].map((word) => shellWord(word, quoting)).join(' ');
