import { resolve } from 'node:path';
import { checkTeacher, DistillInputError, loadDataset, selectBackend } from '../../engine';
import { describeFlag, RUN_SETTINGS } from '../../contract/catalogue';
import { formatStages } from '../../contract/display';
import { integerFlag, parseFlags } from '../args';
import { configFromFlags, refuseIdleImageSize, RUN_FLAGS } from '../run-flags';
import { table } from '../table';

/** The catalogue settings that say which teacher, on which data, fed how. */
const SETTINGS = ['teacher', 'dataset', 'imageSize', 'teacherInputRange', 'teacherNormalization', 'teacherMeanStd', 'teacherResize', 'backend'] as const;
const FLAGS = Object.fromEntries(SETTINGS.map((key) => [RUN_SETTINGS[key].flag, RUN_FLAGS[RUN_SETTINGS[key].flag]!]));

export const CHECK_TEACHER_USAGE = `distill check-teacher --teacher FOLDER|FILE.onnx ${SETTINGS.filter((k) => k !== 'teacher').map((k) => `[${describeFlag(RUN_SETTINGS[k])}]`).join(' ')}
            [--images N] [--json]`;

/**
 * An imported teacher on the dataset's first test images, before distilling: how it is fed,
 * which output is which class, its accuracy against chance, and what it predicts for a few
 * images. Exit 2 when it is no better than chance (its preprocessing or class order is wrong).
 */
export async function checkTeacherCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { ...FLAGS, images: { type: 'string' }, json: { type: 'boolean' } }) as { values: Record<string, string | boolean | undefined> };
  if (!values.teacher) throw new DistillInputError(`usage: ${CHECK_TEACHER_USAGE}`);
  const config = await configFromFlags({ ...values, teacher: resolve(String(values.teacher)) });
  await refuseIdleImageSize(values, config.dataset);
  const images = integerFlag('images', typeof values.images === 'string' ? values.images : undefined) ?? 1000;
  if (images < 1) throw new DistillInputError('--images: expected at least 1');
  const data = await loadDataset(config.dataset, { imageSize: config.imageSize });
  await selectBackend(config.backend, { threads: config.threads });
  const check = await checkTeacher(config.teacher, data, config, images);
  const name = (c: number) => data.classNames[c] ?? String(c);
  if (values.json) {
    process.stdout.write(JSON.stringify({ ...check, samples: check.samples.map(({ pixels: _, ...s }) => s) }) + '\n');
  } else {
    const lines = [
      `teacher ${check.name}: ${check.format}, run by ${check.runtime}`,
      `fed: ${check.fed}`,
      `classes: ${check.mappingText}`,
      ...(check.mapping.byName ? [table(['class', 'teacher output'], data.classNames.map((c, i) => [c, `${check.mapping.columns[i]} (${check.mapping.teacherNames?.[i] ?? ''})`]), [1])] : []),
      check.probabilities ? 'outputs: probabilities (a softmax at the end); their logarithms are used as logits' : 'outputs: logits',
      `test accuracy on the first ${check.images} images: ${(check.accuracy * 100).toFixed(2)}% (chance ${(check.chance * 100).toFixed(1)}%)`,
      ...(check.stages ? [`stages FitNets and attention transfer pair by shape: ${formatStages(check.stages)}`] : []),
      table(['image', 'label', 'teacher says', 'p'], check.samples.slice(0, 12).map((s) => [`#${s.index}`, name(s.label), `${name(s.predicted)}${s.predicted === s.label ? '' : '  ✗'}`, s.confidence.toFixed(2)]), [1, 2]),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  if (check.atChance) throw new DistillInputError(`teacher ${check.name} is no better than chance on this dataset, fed ${check.fed}: its preprocessing or class order probably differs (declare them with --teacher-input-range, --teacher-normalization, --teacher-mean-std, or put a labels.txt beside it)`);
  return 0;
}
