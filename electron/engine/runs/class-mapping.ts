import { readFile } from 'node:fs/promises';
import { DistillInputError } from '../errors';

/**
 * Which of a teacher's outputs is which of the dataset's classes. A teacher that carries class
 * names is matched by name (its outputs may be in another order, or a superset: an ImageNet
 * teacher on a ten-class subset); one without names must predict exactly the dataset's classes,
 * in its order, and the mapping is shown so a person can see what was assumed.
 */
export interface ClassMapping {
  /** columns[c] = the teacher's output for the dataset's class c. */
  columns: number[];
  byName: boolean;
  /** The teacher's own names for the mapped outputs, when it has names. */
  teacherNames: string[] | null;
}

const key = (name: string) => name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

export function mapTeacherClasses(teacherNames: readonly string[] | null, outputs: number, datasetNames: readonly string[], source: string): ClassMapping {
  if (teacherNames && teacherNames.length !== outputs) {
    throw new DistillInputError(`${source}: it names ${teacherNames.length} classes but gives ${outputs} outputs`);
  }
  if (!teacherNames) {
    if (outputs !== datasetNames.length) {
      throw new DistillInputError(`${source}: it predicts ${outputs} classes but the dataset has ${datasetNames.length}, and it names none to match them by (put a labels.txt, one class per line, beside it)`);
    }
    return { columns: datasetNames.map((_, c) => c), byName: false, teacherNames: null };
  }
  const index = new Map(teacherNames.map((name, i) => [key(name), i]));
  const missing = datasetNames.filter((name) => !index.has(key(name)));
  if (missing.length > 0) {
    const shown = (list: readonly string[]) => list.slice(0, 6).join(', ') + (list.length > 6 ? ', …' : '');
    throw new DistillInputError(`${source}: its classes (${shown(teacherNames)}) do not include the dataset's ${shown(missing)}; rename the dataset's class folders or the teacher's labels so they match`);
  }
  const columns = datasetNames.map((name) => index.get(key(name))!);
  return { columns, byName: true, teacherNames: columns.map((c) => teacherNames[c]!) };
}

/** Is the mapping "output c is class c, all of them"? Then outputs need no reordering. */
export const isIdentityMapping = (mapping: ClassMapping, outputs: number) => mapping.columns.length === outputs && mapping.columns.every((c, i) => c === i);

/** Row-major [rows, outputs] → [rows, dataset classes], in the dataset's order. */
export function selectColumns(values: Float32Array, outputs: number, mapping: ClassMapping): Float32Array {
  if (isIdentityMapping(mapping, outputs)) return values;
  const rows = values.length / outputs;
  const classes = mapping.columns.length;
  const out = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) for (let c = 0; c < classes; c++) out[r * classes + c] = values[r * outputs + mapping.columns[c]!]!;
  return out;
}

/** `labels.txt` beside a teacher (one class per line, as this app exports), or null. */
export async function readLabelsFile(path: string): Promise<string[] | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  const names = text.split(/\r?\n/).map((line) => line.trim());
  while (names.length > 0 && names.at(-1) === '') names.pop();
  return names.length > 0 ? names : null;
}

/** Class names in a model's metadata: a JSON array, or names separated by commas or newlines. */
export function parseClassNames(text: string | undefined): string[] | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((v) => typeof v === 'string')) return parsed;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      // {"0": "cat", "1": "dog"}, as some exporters write id2label.
      const entries = Object.entries(parsed as Record<string, unknown>);
      if (entries.length > 0 && entries.every(([k, v]) => /^\d+$/.test(k) && typeof v === 'string')) return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v as string);
    }
  } catch {
    // not JSON: a list
  }
  const names = text.split(/[,\n]/).map((name) => name.trim()).filter(Boolean);
  return names.length > 0 ? names : null;
}
