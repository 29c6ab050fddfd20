import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { OWN_IMAGE_CROP_MIDDLE, type ModelRole } from '../../contract/api';
import { formatPercent, studentTitle } from '../../contract/display';
import { DistillInputError, loadDataset, readRun, RunModelCache, selectBackend, topThree, type StoredRun } from '../../engine';
import { numberFlag, parseFlags } from '../args';

export const PREDICT_USAGE = "distill predict RUN_DIR IMAGE… [--method M (a study's: kd, init+kd, …; its best by default)] [--crop-at P (colour datasets: 0 left or top … 1 right or bottom)] [--json]";

/** A file larger than this is not an image a person means to try (a phone's photo is 2–15 MB). */
const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

type Top = Array<{ class: string; probability: number }>;

/** The three most probable classes of one model, by name, most probable first. */
const topByName = (logits: readonly number[], classNames: readonly string[]): Top =>
  topThree(Float32Array.from(logits), 0, logits.length).map(({ classIndex, probability }) => ({ class: classNames[classIndex] ?? String(classIndex), probability }));

/** A study's student to try: the method asked for, or its most accurate distilled one; a run has one student. */
function studentOf(run: StoredRun, method: string | undefined): string | undefined {
  if (!run.study) {
    if (method !== undefined) throw new DistillInputError(`run ${run.id} is not a study: it has one student (leave out --method)`);
    return undefined;
  }
  const students = run.study.rows.filter((row) => row.method !== 'baseline');
  if (method === undefined) return [...students].sort((a, b) => b.accuracy - a.accuracy)[0]?.method;
  if (!students.some((row) => row.method === method)) throw new DistillInputError(`study ${run.id} has no "${method}" student (its methods: ${students.map((row) => row.method).join(', ')})`);
  return method;
}

async function readImage(path: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new DistillInputError(`${path}: no such image file`);
  if (info.size > MAX_IMAGE_BYTES) throw new DistillInputError(`${path}: ${(info.size / 1e6).toFixed(0)} MB is more than an image this command takes (${MAX_IMAGE_BYTES / 1024 / 1024} MiB)`);
  return readFile(path);
}

/**
 * A person's own images (PNG or JPEG) through a finished run's teacher, distilled student and
 * student alone, each made into one of the run's dataset's images as the app's "Try your own
 * image" does: the three most probable classes per model. Reads the folder; writes nothing.
 */
export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, method: { type: 'string' }, 'crop-at': { type: 'string' } }, PREDICT_USAGE);
  if (positionals.length < 2) throw new DistillInputError(`usage: ${PREDICT_USAGE}`);
  const cropAt = numberFlag('crop-at', values['crop-at']);
  if (cropAt !== undefined && !(cropAt >= 0 && cropAt <= 1)) throw new DistillInputError(`--crop-at: ${cropAt} is not between 0 (left or top) and 1 (right or bottom)`);
  const [runDir, ...images] = positionals as [string, ...string[]];
  const dir = resolve(runDir);
  const run = await readRun(dir, basename(dir));
  if (!run) throw new DistillInputError(`${runDir}: not a run folder (no readable config.json and status.json)`);
  if (run.status.status !== 'completed') throw new DistillInputError(`run ${run.id} is ${run.status.status}: its models are tried once it completes`);
  const method = studentOf(run, values.method);
  // Every file is read and checked before the models load: a typo costs no wait.
  const files = await Promise.all(images.map(async (path) => ({ path, bytes: await readImage(path) })));
  await selectBackend('wasm');
  const data = await loadDataset(run.config.dataset, { imageSize: run.config.imageSize });
  if (cropAt !== undefined && data.shape[2] !== 3) throw new DistillInputError(`--crop-at changes nothing for ${data.name}: its images are greyscale, and yours are cropped to what they show (drop --crop-at)`);
  const models = new RunModelCache();
  const titles: Record<ModelRole, string> = { teacher: 'teacher', student: studentTitle(method ?? run.result?.studentMethod), baseline: 'student alone' };
  try {
    for (const { path, bytes } of files) {
      const labels = await models.softLabelsOfImage(run, data, bytes, { name: path, student: method, cropAt });
      const predictions = Object.fromEntries(
        (Object.entries(labels.logits) as Array<[ModelRole, number[] | null]>).filter(([, logits]) => logits).map(([role, logits]) => [role, topByName(logits!, labels.classNames)]),
      ) as Partial<Record<ModelRole, Top>>;
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ image: path, inverted: labels.inverted, cut: labels.cut, predictions })}\n`);
        continue;
      }
      const width = Math.max(...Object.keys(predictions).map((role) => titles[role as ModelRole].length));
      const lines = (Object.entries(predictions) as Array<[ModelRole, Top]>).map(
        ([role, top]) => `  ${titles[role].padEnd(width)}  ${top.map((p) => `${p.class} ${formatPercent(p.probability, 1)}`).join(' · ')}`,
      );
      const note = labels.inverted
        ? ' (inverted: its background is the opposite of the dataset’s images’)'
        : labels.cut
          ? ` (its ${labels.cut} cut to fill the dataset’s frame, the window at ${cropAt ?? OWN_IMAGE_CROP_MIDDLE}: --crop-at 0 to 1 moves it)`
          : '';
      process.stdout.write(`${path}${note}\n${lines.join('\n')}\n`);
    }
  } finally {
    models.dispose();
  }
  return 0;
}
