import { hasKdTerm, METHOD_CATALOGUE, METHOD_IDS, type MethodId } from './methods';
import { integerOption } from './options';

/** How a study's entry (and a title) marks a feature or relation method with KD's soft term added: `sp+kd`. */
export const KD_TERM_SUFFIX = '+kd';
/** The soft term's weight on a `+kd` entry where `--kd-weight` is left at 0: Tian et al.'s (RepDistiller). */
export const PLUS_KD_DEFAULT_WEIGHT = 1;

const KD_TERM_METHODS = METHOD_IDS.filter(hasKdTerm);

/**
 * Study entries besides the plain methods: KD from the teacher's weights, and each feature or
 * relation method with KD's soft term added (`sp+kd`), so that one study compares SP with SP + KD.
 */
export const STUDY_VARIANTS: ReadonlyArray<{ id: string; label: string }> = [
  { id: 'init+kd', label: 'teacher init + KD' },
  ...KD_TERM_METHODS.map((id) => ({ id: `${id}${KD_TERM_SUFFIX}`, label: `${METHOD_CATALOGUE[id].label} + KD` })),
];
export const DEFAULT_STUDY = 'baseline,kd,fitnet,at,dkd,init+kd';
/**
 * How many seeds a study trains every method with, on its one teacher and split: one run's gain is
 * within ±0.9 points of noise on 10,000 test images, and a mean over seeds narrows that.
 */
export const STUDY_SEEDS = integerOption({
  label: 'seeds per method',
  help: 'train every method with this many seeds (S, S+1, …) on the one teacher and split, and give each gain as the mean over seeds ± its standard error; the saved students are seed S\'s',
  flag: 'seeds',
  valueName: 'N',
  default: 1,
  min: 1,
  max: 10,
});

/**
 * A study's entry as written in --methods and its rows: a method, `init+<method>` (from the
 * teacher's weights), and for a method that can add KD's soft term, `<method>+kd` (either start).
 */
export const STUDY_ENTRY_PATTERN = new RegExp(`^(init\\+)?(?:(${METHOD_IDS.join('|')})|(${KD_TERM_METHODS.join('|')})\\+kd)$`);

/** What a study entry trains: its method, its start, and whether it adds KD's soft term. */
export interface StudyEntryParts {
  method: MethodId;
  initFromTeacher: boolean;
  kdTerm: boolean;
}

/** `init+sp+kd` → SP from the teacher's weights with KD's soft term; null for a name that is no entry. */
export function parseStudyEntry(name: string): StudyEntryParts | null {
  const match = STUDY_ENTRY_PATTERN.exec(name);
  if (!match) return null;
  return { method: (match[2] ?? match[3]) as MethodId, initFromTeacher: match[1] !== undefined, kdTerm: match[3] !== undefined };
}

/** What the error on an entry that is none says it may be. */
export const STUDY_ENTRY_FORMS = `a method (${METHOD_IDS.join(', ')}), init+<method> (from the teacher's weights), or <method>${KD_TERM_SUFFIX} (${KD_TERM_METHODS.join(', ')} with KD's soft term added)`;

/** What `--methods` takes, for help: the forms, and where KD's soft term goes. */
export const STUDY_METHODS_HELP = `the students to compare, each ${STUDY_ENTRY_FORMS}; with a <method>${KD_TERM_SUFFIX} entry, KD's soft term is on the +kd entries (at --kd-weight, or ${PLUS_KD_DEFAULT_WEIGHT} where that is 0) and off the others, so sp,sp${KD_TERM_SUFFIX} compares SP with SP + KD (default ${DEFAULT_STUDY})`;

type MethodOptions = Partial<Record<MethodId, Record<string, unknown>>>;

/**
 * The method options one of a study's entries trains with. Where any entry says `+kd`, the
 * entries say where KD's soft term goes: on theirs at `--kd-weight` (or 1 where that is 0), and
 * off on the others, so that `sp,sp+kd` compares SP with SP + KD. Without one, `--kd-weight` acts
 * on every method that has it, as in a run.
 */
export function studyEntryMethodOptions<T extends MethodOptions>(methodOptions: T, entries: readonly string[], entry: string): T {
  const parts = parseStudyEntry(entry);
  if (!parts || !hasKdTerm(parts.method) || !entries.some((name) => parseStudyEntry(name)?.kdTerm)) return methodOptions;
  const given = methodOptions[parts.method]?.kdWeight;
  const weight = !parts.kdTerm ? 0 : typeof given === 'number' && given > 0 ? given : PLUS_KD_DEFAULT_WEIGHT;
  return { ...methodOptions, [parts.method]: { ...methodOptions[parts.method], kdWeight: weight } };
}
