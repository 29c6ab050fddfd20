import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DistillInputError } from '../engine';
import { RUN_SETTINGS } from '../contract/catalogue';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs, strict, with its errors turned into one clear input error. A command that
 * takes folders or files without a flag (`distill resume RUN_DIR`) passes its usage line.
 */
export function parseFlags<T extends Options>(args: string[], options: T, positionalUsage?: string) {
  try {
    return parseArgs({ args: withNegativeValues(args, options), options, strict: true, allowPositionals: positionalUsage !== undefined });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    const stray = /^Unexpected argument '([^']*)'/.exec(message)?.[1];
    if (stray !== undefined) throw new DistillInputError(`unexpected argument '${stray}': this command takes flags only${flagForPath(stray, Object.keys(options))}`);
    // With positionals allowed, parseArgs goes on about `--` for a positional starting with a dash: the option is the point.
    const unknown = /^Unknown option '(-[^']*)'/.exec(message)?.[1];
    if (unknown === undefined) throw new DistillInputError(message);
    const name = unknown.startsWith('--') ? unknown.slice(2).split('=')[0]! : '';
    // `--run DIR` where the folder goes bare: the usage line says so; the nearest flag (`--out`) would mislead.
    if (positionalUsage !== undefined && PATH_LIKE_FLAGS.test(name)) throw new DistillInputError(`unknown option '${unknown}': this command takes its folders, files and names without a flag (usage: ${positionalUsage})`);
    const near = name ? nearestFlag(name, Object.keys(options)) : undefined;
    throw new DistillInputError(`unknown option '${unknown}'${near ? ` (did you mean --${near}?)` : ''}`);
  }
}

/** Flag names a person might put before a command's bare folder, file or name. */
const PATH_LIKE_FLAGS = /^(run|runs?-?dir|dir|directory|folder|path|from|file|input|image|images|dataset|model|name)$/i;

/** For a bare path: the flag it most likely belongs after (a model file to --teacher, anything else to --dataset). */
function flagForPath(arg: string, flags: readonly string[]): string {
  const wanted = /\.onnx$|model\.json$/i.test(arg) ? ['teacher'] : ['dataset', 'teacher'];
  const flag = wanted.find((name) => flags.includes(name));
  if (!flag) return '';
  const alternative = flag === 'dataset' && flags.includes('teacher') ? ` or --teacher ${arg}` : '';
  return ` (did you mean --${flag} ${arg}${alternative}?)`;
}

/** The flag a mistyped one most likely meant: the closest by edit distance, if within a quarter of its length (at least 2). */
function nearestFlag(typed: string, flags: readonly string[]): string | undefined {
  let best: { flag: string; distance: number } | undefined;
  for (const flag of flags) {
    const distance = editDistance(typed, flag);
    if (!best || distance < best.distance) best = { flag, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 4)) ? best.flag : undefined;
}

/** Levenshtein distance, with one row of the table kept. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * `--temperature -1` as `--temperature=-1`: parseArgs takes a value starting with a dash for a
 * flag of its own and refuses it, so an out-of-range number would get a message about ambiguity
 * instead of the range check's.
 */
function withNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = /^--([^=]+)$/.exec(args[i]!)?.[1];
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

export function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new DistillInputError(`--${name}: expected a number, got "${value}"`);
  return number;
}

export function integerFlag(name: string, value: string | undefined): number | undefined {
  const number = numberFlag(name, value);
  if (number !== undefined && !Number.isInteger(number)) throw new DistillInputError(`--${name}: expected a whole number, got "${value}"`);
  return number;
}

/** `--threads N` for commands that take it outside a run's settings (bench, resume), in the catalogue's range. */
export function threadsFlag(value: string | undefined): number | undefined {
  const threads = integerFlag('threads', value);
  const { min, max } = RUN_SETTINGS.threads;
  if (threads !== undefined && (threads < min || threads > max)) throw new DistillInputError(`--threads: expected ${min} to ${max}, got ${threads}`);
  return threads;
}

/** `32x32x3` → [32, 32, 3]. */
export function shapeFlag(value: string | undefined): [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)x(\d+)x(\d+)$/.exec(value);
  if (!match || [match[1], match[2], match[3]].some((v) => Number(v) < 1 || Number(v) > 4096)) throw new DistillInputError(`--shape: expected HEIGHTxWIDTHxCHANNELS such as 32x32x3, got "${value}"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function choiceFlag<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new DistillInputError(`--${name}: expected ${choices.join('|')}, got "${value}"`);
  return value as T;
}
