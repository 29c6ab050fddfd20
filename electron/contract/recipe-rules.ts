import { METHOD_CATALOGUE, METHOD_IDS, type MethodId } from './catalogue';
import { formatList } from './display';
import type { RunConfig } from './run-config';

type RecipeFields = Pick<RunConfig, 'ensemble' | 'method' | 'sweep' | 'tryDist' | 'restarts' | 'schedule' | 'studentPatience' | 'teacherPatience' | 'validationSplit' | 'lrMilestones' | 'epochs' | 'teacherEpochs'>;

const HOLD_OUT = 'add --validation-split (0.1 holds out a tenth of the training images)';

/**
 * Settings that only work together, each refusal in the CLI's words (the app shows them through
 * `inAppWords`). The engine refuses a run with the first before anything trains; the Method
 * screen lists them all beside its Start button, so a form the run would refuse says why first.
 * Choices made on held-out images need a validation split, and the sweep and the KD-or-DIST race
 * tune KD (a resumed run whose race kept DIST says `dist`).
 */
export function recipeConflicts(config: RecipeFields): string[] {
  const noSplit = config.validationSplit <= 0;
  const milestones = config.schedule === 'step' ? config.lrMilestones : [];
  const twice = milestones.find((epoch, i) => milestones.indexOf(epoch) !== i);
  // A milestone cuts the rate once that many epochs are done: one at or past the run's longest
  // training cuts nothing (a saved teacher trains not at all, so this is generous).
  const last = Math.max(config.epochs, config.teacherEpochs);
  const late = milestones.filter((epoch) => epoch >= last);
  const conflicts: Array<string | false> = [
    twice !== undefined && `--milestones lists epoch ${twice} twice: each milestone multiplies the rate by 0.1 once`,
    late.length > 0 && `--milestones ${late.join(', ')}: the rate is cut once that many epochs are done, and training ends after ${last}, so it would never be cut there; use numbers below ${last}`,
    config.sweep && noSplit && `the T × α sweep is scored on a validation split: ${HOLD_OUT}`,
    config.sweep && config.method !== 'kd' && !(config.tryDist && config.method === 'dist') && `the sweep chooses KD's T and α: use --method kd (not ${config.method}), or --no-sweep`,
    config.tryDist && noSplit && `--try-dist keeps whichever of KD and DIST scores higher on a validation split: ${HOLD_OUT}`,
    config.tryDist && config.method !== 'kd' && config.method !== 'dist' && `--try-dist trains the distilled student with KD and with DIST: use --method kd (not ${config.method}), or --no-try-dist`,
    config.restarts > 1 && noSplit && `--restarts keeps each student's best seed on a validation split: ${HOLD_OUT}`,
    config.schedule === 'plateau' && noSplit && `--schedule plateau cuts the rate on validation plateaus: ${HOLD_OUT}`,
    config.studentPatience !== null && noSplit && `--student-patience stops on validation accuracy: ${HOLD_OUT}`,
    config.teacherPatience !== null && noSplit && `--teacher-patience stops on validation accuracy: ${HOLD_OUT}`,
    ensembleConflict(config.ensemble, config.method) ?? false,
  ];
  return conflicts.filter((c): c is string => c !== false);
}

/**
 * An ensemble teaches through its members' averaged logits: a method that reads the teacher's
 * layers (FitNets' maps, RKD's embedding) would find only one member's, so it is refused.
 */
export function ensembleConflict(ensemble: number, method: MethodId, savedTeacher?: string): string | null {
  const entry = METHOD_CATALOGUE[method];
  if (ensemble <= 1 || !entry.needsTeacher || entry.teacherLayers === 'none') return null;
  const readers = formatList(METHOD_IDS.filter((id) => METHOD_CATALOGUE[id].needsTeacher && METHOD_CATALOGUE[id].teacherLayers === 'none'), 'or');
  const learns = savedTeacher ? `teacher ${savedTeacher} is an ensemble of ${ensemble} teachers: the student learns the average of their logits` : `with --ensemble ${ensemble} the student learns the average of the teachers' logits`;
  return `${learns}, and ${method} reads the teacher's layers: use --method ${readers}${savedTeacher ? '' : ', or --ensemble 1'}`;
}
