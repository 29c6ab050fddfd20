import * as tf from '@tensorflow/tfjs';
import type { Phase } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import { planChannelSpaces } from '../methods/channel-spaces';
import { describeInit, initFromTeacher } from '../methods/init-from-teacher';
import type { DistillationMethod } from '../methods/method';
import { selectTeacherWeights } from '../methods/weight-selection';
import { parseWidth } from '../models/blocks';
import { ensembleSize, seedingModel } from '../models/ensemble';
import { mlpFamily, type MlpSpec } from '../models/mlp';
import { buildModel, findFamily } from '../models/registry';
import { trainPhase } from '../train/trainer';
import type { PhaseContext } from './phases';
import { forwardWithFeatures, teacherSource } from './teacher-source';

/**
 * Weight selection in steps (`--selection-steps N`): a student far narrower than its teacher
 * (`mlp-30x2` keeps 30 of `mlp-800x2`'s 800 units per layer) loses most of what the teacher knew
 * in one cut. Pruned through widths in between instead (geometric, each cut keeping at least
 * half: 415, 215, 112 and 58 units), each trained for one epoch with the student's own method and
 * loss before the next is selected from it, the knowledge is handed down a step at a time, as
 * gradual pruning with distillation does (Zhu & Gupta 2017; Minitron, Sreenivas et al. 2024). On
 * Fashion-MNIST's MLP pair the untrained student then starts at 50–72 % on validation instead of
 * 12–19 %, and `auto`'s distilled student ended +0.20 points better on validation and +0.07 on
 * test on average over nine teachers (docs/research/fashion-mnist.md#weight-selection-in-steps).
 */
export interface SteppedSelection {
  /** The last step's model: the student is selected from it instead of from the teacher. */
  source: tf.LayersModel;
  /** "mlp-415x2 (89.78 %) → … → mlp-58x2 (87.80 %), one epoch each with DIST". */
  summary: string;
}

/**
 * The architectures between the student and the teacher, widest first: the student's name scaled
 * by the teacher's width ratio (an MLP's units, a convnet's `@width`), geometric, as few as keep
 * every cut to at most a half and never more than `steps`. Null when the pair is not a narrower
 * copy (weight selection does not apply), the student's name cannot be scaled, the student keeps
 * half the teacher's units or more, or no width lies strictly between the two.
 */
export function intermediateArchitectures(studentName: string, student: tf.LayersModel, teacher: tf.LayersModel, steps: number): string[] | null {
  if (steps < 1) return null;
  const plan = planChannelSpaces(student, seedingModel(teacher));
  if (!plan) return null;
  const ratio = Math.max(...plan.spaces.map((s) => s.teacher / s.student));
  if (!(ratio > 1)) return null;
  // Each cut keeps at least half the units: as many steps as that needs, at most `steps`. A cut
  // to half in one go (lenet5 → lenet5@0.5) did better on its own than through eight steps.
  steps = Math.min(steps, Math.ceil(Math.log2(ratio) - 1e-9) - 1);
  if (steps < 1) return null;
  // A width that rounds to the teacher's or the student's, or to the step before, adds nothing.
  const teacherWide = scaledName(studentName, ratio);
  const names: string[] = [];
  for (let k = 1; k <= steps; k++) {
    const name = scaledName(studentName, ratio ** ((steps + 1 - k) / (steps + 1)));
    if (name === null) return null;
    if (name !== studentName && name !== teacherWide && !names.includes(name)) names.push(name);
  }
  return names.length > 0 ? names : null;
}

/** `mlp-30x2` × 2 → `mlp-60x2`; `lenet5@0.5` × 2 → `lenet5@1`; null for a name that has no width. */
export function scaledName(name: string, factor: number): string | null {
  const mlp = mlpFamily.parse(name) as MlpSpec | null;
  if (mlp) return `mlp-${Math.max(1, Math.round(mlp.width * factor))}x${mlp.depth}`;
  const parsed = parseWidth(name);
  if (!parsed || !findFamily(parsed.base)) return null;
  const width = Math.round(parsed.width * factor * 1000) / 1000;
  return width > 4 ? null : width === 1 ? parsed.base : `${parsed.base}@${width}`;
}

export interface SelectionStepsOptions {
  /** Built from `config.student`. */
  student: tf.LayersModel;
  teacher: tf.LayersModel;
  method: DistillationMethod;
  /** The student's config: the steps train with its method options, seed and rate. */
  config: RunConfig;
  /** The student's lane in a study or the race: its progress events carry it. */
  label?: string;
  phase: Phase;
}

/**
 * Prunes the teacher through the intermediate widths, training each for one epoch (the run's
 * rate, held constant; no validation choice), and returns the last: null when the pair has no
 * widths in between. Every intermediate model but the one returned is disposed.
 */
export async function selectInSteps(ctx: PhaseContext, options: SelectionStepsOptions): Promise<SteppedSelection | null> {
  // The lane's own config (DIST's T in the race, a restart's seed), not the run's.
  const { config } = options;
  const { dataset } = ctx;
  // An ensemble seeds the student from its first member (the average has no units to keep) and teaches it as a whole.
  const seeding = seedingModel(options.teacher);
  const names = intermediateArchitectures(config.student, options.student, options.teacher, config.selectionSteps);
  if (!names) return null;
  const classes = dataset.classNames.length;
  let source: tf.LayersModel | null = null;
  const done: string[] = [];
  try {
    for (const name of names) {
      const model = buildModel(name, { inputShape: dataset.shape, classes, seed: config.seed, dropout: config.studentDropout });
      if (!selectTeacherWeights(model, source ?? seeding)) {
        model.dispose();
        source?.dispose();
        return null;
      }
      source?.dispose();
      source = model;
      const prepared = options.method.prepare({ student: model, teacher: options.teacher, config, trainImages: dataset.train.count });
      try {
        const outcome = await trainPhase({
          phase: options.phase,
          ...(options.label === undefined ? {} : { method: options.label }),
          model,
          forward: forwardWithFeatures(model, prepared.studentFeatureLayers),
          extraVariables: prepared.extraVariables,
          train: dataset.train,
          // Reported only: each step's accuracy on the held-out images, never a choice.
          test: dataset.validation ?? dataset.test,
          shape: dataset.shape,
          epochs: 1,
          jitter: config.studentJitter,
          jitterShare: config.jitterShare,
          flip: config.flip,
          recipe: { ...config, schedule: 'constant' },
          loss: prepared.loss,
          ...(prepared.afterStep ? { afterStep: prepared.afterStep } : {}),
          teacher: options.method.needsTeacher ? teacherSource(ctx, options.teacher, prepared.teacherFeatureLayers) : null,
          signal: ctx.signal,
          onProgress: (event) => void ctx.emit({ ...event, via: name }, false),
        });
        const accuracy = outcome.evaluation ? ` (${(outcome.evaluation.accuracy * 100).toFixed(2)} %)` : '';
        done.push(`${name}${accuracy}`);
      } finally {
        prepared.dispose();
      }
    }
  } catch (error) {
    source?.dispose();
    throw error;
  }
  const on = dataset.validation ? 'on the validation split' : 'on the test split';
  return { source: source!, summary: `weight selection in ${names.length} ${names.length === 1 ? 'step' : 'steps'}: ${done.join(' → ')} ${on}, one epoch${names.length === 1 ? '' : ' each'} with ${options.method.label}, then ${config.student} from the last` };
}

/**
 * Starts the student from the teacher's weights: weight selection, through the widths in between
 * when `--selection-steps` allows, or a copy by shape (initFromTeacher). Returns what it did.
 */
export async function startFromTeacher(ctx: PhaseContext, options: SelectionStepsOptions): Promise<string> {
  const stepped = options.config.selectionSteps > 0 ? await selectInSteps(ctx, options) : null;
  const members = ensembleSize(options.teacher);
  const from = members > 1 ? `from the first of the ensemble's ${members} teachers: ` : '';
  if (!stepped) return from + describeInit(initFromTeacher(options.student, options.teacher));
  try {
    return from + describeInit({ ...initFromTeacher(options.student, stepped.source), steps: stepped.summary });
  } finally {
    stepped.source.dispose();
  }
}
