import { z } from 'zod';

/**
 * One setting as the catalogue describes it: its schema (validation everywhere), its CLI flag,
 * its label and help (CLI help, the app's forms), its default and range (the app's inputs).
 * Every view of a setting is derived from one of these, never retyped.
 */
interface OptionBase {
  label: string;
  help: string;
  /** The CLI flag without `--`. */
  flag: string;
  /** What the flag's value is called in usage text: `T`, `N`, `S:T[,…]`. */
  valueName?: string;
  /** Shown in the app's main form rather than under "more settings". */
  basic?: boolean;
  /** What this setting acts under (see `OptionNeeds`): given without it, the CLI refuses it, as it would change nothing, and the app greys it. */
  needs?: OptionNeeds;
}

/**
 * What a setting acts under: another setting's value, or one of its values (the sweep's grid under
 * `sweep` on, the milestones under `schedule` step, the CPU threads under `backend` wasm or auto),
 * any of several numeric settings above a value (the jitter share while the teacher or the
 * students are jittered), or any of several switches on (the steps of weight selection while the
 * student starts from the teacher, or the sweep tries that start). A setting named here counts
 * only while it acts itself: the sweep's teacher start is off while the sweep is.
 */
export type OptionNeeds = { setting: string; value: boolean | string | readonly string[] } | { anyOf: readonly string[]; above: number } | { anyOn: readonly string[] };

export interface NumberOption extends OptionBase {
  kind: 'number' | 'integer';
  default: number;
  min: number;
  max: number;
  /** The range and step an app slider or input offers (validation takes min..max). */
  ui: { min: number; max: number; step: number; slider?: boolean };
  schema: z.ZodNumber;
}

/** A whole number where null means "let the method decide" (`help` says what it then does). */
export interface NullableIntegerOption extends OptionBase {
  kind: 'nullable-integer';
  default: number | null;
  /** What null means, in a word: `auto`, `all`. */
  nullMeans: string;
  min: number;
  max: number;
  ui: { min: number; max: number; step: number };
  schema: z.ZodNullable<z.ZodNumber>;
}

export interface TextOption extends OptionBase {
  kind: 'text';
  default: string | null;
  /** Validation pattern and what it expects, in words. */
  pattern: RegExp;
  expected: string;
  schema: z.ZodNullable<z.ZodString>;
}

export interface BooleanOption extends OptionBase {
  kind: 'boolean';
  default: boolean;
  /** `no-baseline` style flags set the value to false. */
  negated?: boolean;
  schema: z.ZodBoolean;
}

export interface ChoiceOption<T extends string = string> extends OptionBase {
  kind: 'choice';
  choices: readonly T[];
  default: T;
  schema: z.ZodEnum<{ [K in T]: K }>;
}

export interface IntegerListOption extends OptionBase {
  kind: 'integer-list';
  default: number[];
  schema: z.ZodArray<z.ZodNumber>;
}

/** A list of numbers in a range (a sweep's grid): `1,2,4,8`. */
export interface NumberListOption extends OptionBase {
  kind: 'number-list';
  default: number[];
  min: number;
  max: number;
  schema: z.ZodArray<z.ZodNumber>;
}

export interface StringOption extends OptionBase {
  kind: 'string';
  default: string;
  schema: z.ZodString;
}

export type AnyOption = NumberOption | NullableIntegerOption | TextOption | BooleanOption | ChoiceOption | IntegerListOption | NumberListOption | StringOption;
export type OptionTable = Record<string, AnyOption>;

type Meta = Omit<OptionBase, 'flag'> & { flag: string };

export function numberOption(meta: Meta & { default: number; min: number; max: number; exclusiveMin?: boolean; ui?: NumberOption['ui'] }): NumberOption {
  const base = meta.exclusiveMin ? z.number().gt(meta.min) : z.number().min(meta.min);
  // zod 4's number() already refuses Infinity and NaN.
  return { ...meta, kind: 'number', ui: meta.ui ?? { min: meta.min, max: meta.max, step: 0.01 }, schema: base.max(meta.max) };
}

export function integerOption(meta: Meta & { default: number; min: number; max: number; ui?: NumberOption['ui'] }): NumberOption {
  return { ...meta, kind: 'integer', ui: meta.ui ?? { min: meta.min, max: meta.max, step: 1 }, schema: z.number().int().min(meta.min).max(meta.max) };
}

export function nullableIntegerOption(meta: Meta & { default: number | null; min: number; max: number; nullMeans?: string }): NullableIntegerOption {
  return { ...meta, nullMeans: meta.nullMeans ?? 'auto', kind: 'nullable-integer', ui: { min: meta.min, max: meta.max, step: 1 }, schema: z.number().int().min(meta.min).max(meta.max).nullable() };
}

export function textOption(meta: Meta & { default: string | null; pattern: RegExp; expected: string }): TextOption {
  return { ...meta, kind: 'text', schema: z.string().regex(meta.pattern, `expected ${meta.expected}`).nullable() };
}

export function booleanOption(meta: Meta & { default: boolean; negated?: boolean }): BooleanOption {
  return { ...meta, kind: 'boolean', schema: z.boolean() };
}

export function choiceOption<const T extends string>(meta: Meta & { choices: readonly [T, ...T[]]; default: NoInfer<T> }): ChoiceOption<T> {
  return { ...meta, kind: 'choice', schema: z.enum(meta.choices) as unknown as ChoiceOption<T>['schema'] };
}

export function integerListOption(meta: Meta & { default: number[]; min: number }): IntegerListOption {
  return { ...meta, kind: 'integer-list', schema: z.array(z.number().int().min(meta.min)) };
}

export function numberListOption(meta: Meta & { default: number[]; min: number; max: number }): NumberListOption {
  return { ...meta, kind: 'number-list', schema: z.array(z.number().min(meta.min).max(meta.max)).min(1).max(16) };
}

export function stringOption(meta: Meta & { default: string }): StringOption {
  return { ...meta, kind: 'string', schema: z.string().min(1) };
}

export type ValuesOf<O extends OptionTable> = { [K in keyof O]: z.infer<O[K]['schema']> };
export type SchemaOf<O extends OptionTable> = z.ZodObject<{ [K in keyof O]: O[K]['schema'] }>;

/** A zod object over a table of options (their schemas, keyed as in the table). */
export function optionsSchema<O extends OptionTable>(options: O): SchemaOf<O> {
  return z.object(Object.fromEntries(Object.entries(options).map(([key, option]) => [key, option.schema]))) as unknown as SchemaOf<O>;
}

/** The table's defaults as values. */
export function optionDefaults<O extends OptionTable>(options: O): ValuesOf<O> {
  return Object.fromEntries(Object.entries(options).map(([key, option]) => [key, option.default])) as ValuesOf<O>;
}

/** The word a nullable flag takes for null: `--limit-train all`, `--teacher-patience off`, `--threads all`. */
export const nullFlagWord = (option: NullableIntegerOption): string => option.nullMeans.split(' ')[0]!;

/** `--temperature T`, `[--no-baseline]`, `--method kd|fitnet`, `--limit-train N|all`: how usage text names an option. */
export function describeFlag(option: AnyOption): string {
  switch (option.kind) {
    case 'boolean':
      return `--${option.flag}`;
    case 'choice':
      return `--${option.flag} ${option.choices.join('|')}`;
    case 'nullable-integer':
      return `--${option.flag} ${option.valueName ?? 'N'}|${nullFlagWord(option)}`;
    default:
      return `--${option.flag} ${option.valueName ?? 'N'}`;
  }
}

/** The range or choices of an option in words, for help text. */
export function describeRange(option: AnyOption): string {
  switch (option.kind) {
    case 'number':
    case 'integer':
    case 'number-list':
      return `${option.min}–${option.max}`;
    case 'nullable-integer':
      return `${option.min}–${option.max}, or ${nullFlagWord(option)}`;
    case 'choice':
      return option.choices.join(', ');
    case 'text':
      return option.expected;
    default:
      return '';
  }
}

/** A value as help text shows it: null as what it means, a flag's boolean as on/off. */
export function describeDefault(value: unknown, option?: AnyOption): string {
  if (value === null) return option?.kind === 'nullable-integer' ? option.nullMeans : 'auto';
  if (option?.kind === 'boolean') return value === !option.negated ? 'on' : 'off';
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  return String(value);
}

/**
 * A value as the app's label for it reads: an on/off setting is on when its box is ticked, also
 * where its flag turns it off (`--no-baseline`: "also train the student alone" on), which
 * describeDefault reads in the flag's sense.
 */
export function describeValue(value: unknown, option?: AnyOption): string {
  return option?.kind === 'boolean' ? (value ? 'on' : 'off') : describeDefault(value, option);
}
