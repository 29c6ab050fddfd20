import type { ModelReport, RunResult, StudyResult, StudyRow } from './events';
import { KD_TERM_FLAG, kdTermWeight, METHOD_CATALOGUE, optionsInEffect, parseStudyEntry, type AnyOption, type MethodId } from './catalogue';
import { formatPercent, formatPoints, gainName, shownMethod } from './display';
import { shellWord } from './command-line';

/**
 * What a finished run says about whether distillation paid off, with the numbers and what to try
 * next. Shared by the CLI's result text and the Results screen, so both say the same.
 */
export interface Advice {
  level: 'warning' | 'good';
  message: string;
  suggestions: string[];
}

/** Test images a report was scored on (its confusion matrix's total). */
export const testImagesOf = (report: ModelReport) => report.confusion.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);

/**
 * Two standard errors of the difference between two accuracies measured on the same n test
 * images, treated as independent (a conservative noise band: the same images make the real
 * difference less noisy).
 */
export function gainNoise(a: number, b: number, n: number): number {
  return 2 * Math.sqrt((a * (1 - a) + b * (1 - b)) / Math.max(1, n));
}

/** No clearly better than guessing: under 1.5× chance, or within 5 points of it. */
export const nearChance = (accuracy: number, classes: number) => accuracy <= Math.max(1.5 / classes, 1 / classes + 0.05);

/** Two points: a teacher this far ahead of the student alone is not short of things to teach. */
const WIDE_GAP = 0.02;
const LARGER_STUDENT = 'a larger student: one much weaker than its teacher often cannot follow it, and a stronger teacher rarely helps then (Cho & Hariharan, 2019)';

/** Student's t at 97.5 % for 1–9 degrees of freedom: a 95 % interval from 2–10 seeds. */
const T_975 = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26];

/**
 * Half the 95 % interval of a mean gain over `count` seeds with standard error `stdErr`; null
 * under two seeds. Seeds vary the training (start, data order); the test images stay the same.
 */
export function seedsNoise(count: number, stdErr: number): number | null {
  return count < 2 ? null : (T_975[Math.min(count, 10) - 2] ?? 2) * stdErr;
}

/** A study row's mean over several seeds (its StudyRow.seeds), when the advice is for one. */
export interface SeedsGain {
  count: number;
  meanGain: number;
  gainStdErr: number;
}

/** `studentMethod`: the method the distilled student was kept with (a run's race, a study's row), which names its gain. */
export type AdviceInput = Pick<RunResult, 'teacher' | 'student' | 'baseline' | 'kdGain' | 'sweep'> & Partial<Pick<RunResult, 'selection' | 'outDir'>> & {
  studentMethod?: string | undefined;
  seeds?: SeedsGain | undefined;
  fromStudy?: boolean;
  /** The run's method options, where known: whether a feature method added KD's soft term (`--kd-weight`). */
  methodOptions?: Partial<Record<MethodId, Record<string, unknown>>> | undefined;
};

/** What the advice says to narrow a gain's noise: more test images, or the run again over several seeds, from its folder (RUN_DIR where it is not known). */
const severalSeeds = (outDir = 'RUN_DIR') => `more test images, or this run again over several seeds (\`distill study --from-run ${shellWord(outDir)} --seeds 5\`, or "Measure this gain over 5 seeds" in the app), to narrow the noise`;
/** The same for a study of one seed, which is run again with more seeds per method, not measured from a run. */
const STUDY_SEEDS_AGAIN = 'more test images, or the study again with several seeds per method (`--seeds 5`, or "seeds per method" on the Method screen), to narrow the noise';

/** The catalogue method a kept or studied student trained with (`init+kd` → kd, `sp+kd` → sp); null when unknown. */
const methodOf = (studentMethod: string | undefined): MethodId | null => parseStudyEntry(studentMethod ?? '')?.method ?? null;

/** A method's warm-up option (its own, or KD's that it reads), if it has one. */
function warmupOf(method: MethodId | null): AnyOption | null {
  const ref = method ? optionsInEffect(method, {}).find((r) => r.key === 'warmup') : undefined;
  return ref ? (METHOD_CATALOGUE[ref.method].options as Record<string, AnyOption>)[ref.key]! : null;
}

/**
 * What to tune when the gain is poor. The sweep finds KD's T and α, so it is offered for the
 * methods that read them; a method that does not (RKD, SP, PKT, attention transfer) is pointed at its own
 * weights, and at the sweep through KD or DIST. DKD reads KD's T but weighs its terms itself.
 */
function tuningAdvice(studentMethod: string | undefined, swept: boolean): { sweep: string[]; lower: string } {
  const method = methodOf(studentMethod);
  // KD's soft term that a feature method may add (--kd-weight) is not what to tune first: its own weights are.
  const reads = (key: string) => !method || optionsInEffect(method, {}).some((option) => option.method === 'kd' && option.key === key);
  const ownWeights = (id: MethodId) => {
    const entry = METHOD_CATALOGUE[id];
    // Its own terms, not KD's soft term it may add (--kd-weight, 0 unless asked for).
    const flags = (Object.entries(entry.options) as Array<[string, AnyOption]>).filter(([key, option]) => option.kind === 'number' && key !== 'kdWeight').map(([, option]) => `\`--${option.flag}\``);
    return `lower weights on ${entry.label}'s own terms (${flags.join(', ')}), so the labels count for more`;
  };
  if (reads('temperature')) {
    return {
      sweep: swept ? [] : ['finding T and α for this data with the sweep ("Find T and α for me" in the app, `distill sweep` in the CLI, or the auto preset)'],
      lower: reads('alpha') || !method ? 'a lower α (more weight on the labels) or a lower T' : `a lower T, or ${ownWeights(method)}`,
    };
  }
  return {
    sweep: ['KD or DIST on this pair, with T and α found by the sweep ("Find T and α for me" in the app, `distill sweep` in the CLI, or the auto preset)'],
    lower: ownWeights(method!),
  };
}

/**
 * A distilled student at chance where the student alone trained did not learn at all: the first
 * steps' gradients of its distillation term were too large (KD at a large α·T, DKD's β, attention
 * transfer, at a high rate on a student without batch norm). Its warm-up and the rate are what to
 * change, not the teacher. Null when the student trained, or the student alone did not either.
 */
function didNotTrain(student: ModelReport, baseline: ModelReport | null, studentMethod: string | undefined, methodOptions: AdviceInput['methodOptions']): Advice | null {
  const classes = student.confusion.length;
  // A report without its confusion matrix says nothing of the classes, so nothing of chance.
  if (classes < 2 || !nearChance(student.accuracy, classes) || (baseline && nearChance(baseline.accuracy, classes))) return null;
  const method = methodOf(studentMethod);
  const option = warmupOf(method);
  // KD's soft term on top of a feature method adds its own first gradients, ramped over KD's warm-up.
  const kdWeight = method && methodOptions ? kdTermWeight(method, methodOptions) : 0;
  const kdTerm = kdWeight > 0 ? [`a lower weight on KD's soft term (\`--${KD_TERM_FLAG} W\`, ${kdWeight} here) or a longer ramp for it (\`--${METHOD_CATALOGUE.kd.options.warmup.flag} N\`): the two terms together can be too much for a student without batch norm at a high rate`] : [];
  const alone = baseline ? `, where the student alone reached ${formatPercent(baseline.accuracy)}` : '';
  return {
    level: 'warning',
    message: `The distilled student did not train: ${formatPercent(student.accuracy)} on test, about chance (${formatPercent(1 / classes)} for ${classes} classes)${alone}. Its distillation term's first gradients were too large for this student at this learning rate.`,
    suggestions: [
      ...(option ? [`a longer warm-up (\`--${option.flag} N\`, "${option.label}" in the app), so that the first steps learn from the labels`] : []),
      ...kdTerm,
      'a lower learning rate (`--lr`; the auto preset starts at 0.01)',
      tuningAdvice(studentMethod, true).lower,
    ],
  };
}

export function distillationAdvice(result: AdviceInput): Advice[] {
  const advice: Advice[] = [];
  const { teacher, student, baseline } = result;
  // Never suggest what the run already did: a model that stopped early had levelled off.
  const teacherLevelledOff = !!result.selection?.teacher?.stoppedEarly;
  const studentsLevelledOff = !!result.selection?.student?.stoppedEarly && !!result.selection.baseline?.stoppedEarly;
  if (teacher && baseline && teacher.accuracy - baseline.accuracy < 0.01) {
    advice.push({
      level: 'warning',
      message: `The teacher (${formatPercent(teacher.accuracy)}) is not clearly better than the student trained alone (${formatPercent(baseline.accuracy)}): it has little to teach.`,
      suggestions: [
        ...(teacherLevelledOff ? [] : ['training the teacher longer, or letting the auto preset train it until its validation accuracy stops improving']),
        `a bigger teacher, or a smaller student, so that the gap between them is wider${teacherLevelledOff ? ' (this teacher trained until its validation accuracy stopped improving)' : ''}`,
      ],
    });
  }
  const stalled = student ? didNotTrain(student, baseline, result.studentMethod, result.methodOptions) : null;
  if (stalled) {
    advice.push(stalled);
  } else if (student && baseline && result.kdGain !== null) {
    const n = testImagesOf(baseline);
    // Over several seeds the gain is their mean, and its noise the seeds' 95 % interval.
    const overSeeds = result.seeds ? seedsNoise(result.seeds.count, result.seeds.gainStdErr) : null;
    const kdGain = overSeeds !== null ? result.seeds!.meanGain : result.kdGain;
    const noise = overSeeds ?? gainNoise(student.accuracy, baseline.accuracy, n);
    const band = overSeeds !== null ? `±${(noise * 100).toFixed(2)} points is the 95 % interval of the mean over ${result.seeds!.count} seeds` : `±${(noise * 100).toFixed(2)} points is the noise on ${n.toLocaleString('en-US')} test images`;
    const shown = shownMethod(result.studentMethod, result.methodOptions);
    const named = overSeeds !== null ? `mean ${gainName(shown)} over ${result.seeds!.count} seeds` : gainName(shown);
    const { sweep, lower } = tuningAdvice(result.studentMethod, !!result.sweep);
    // A teacher far ahead of the student alone that still teaches nothing points at the student's
    // size, not the teacher's: small students often cannot follow a much stronger teacher.
    const farAhead = !!teacher && teacher.accuracy - baseline.accuracy >= WIDE_GAP;
    const teacherOrStudent = farAhead ? [LARGER_STUDENT] : ['a better teacher (see its accuracy above)'];
    const over = overSeeds !== null ? ` (the ${named})` : '';
    if (kdGain < -noise) {
      // A loss that rose as the warm-up ended (DKD on a LeNet-5 at quick's rate) wants a longer one.
      const warmup = warmupOf(methodOf(result.studentMethod));
      const longer = warmup ? [`a longer warm-up (\`--${warmup.flag} N\`), if the distilled student's loss rose as its warm-up ended`] : [];
      advice.push({ level: 'warning', message: `Distillation made the student worse: ${formatPoints(kdGain)} points against the student alone${over} (${band}).`, suggestions: [...sweep, lower, ...longer, ...teacherOrStudent] });
    } else if (Math.abs(kdGain) <= noise) {
      const cannotTell = overSeeds !== null ? 'these seeds cannot tell' : 'this run cannot tell';
      advice.push({ level: 'warning', message: `The ${named}, ${formatPoints(kdGain)} points, is within noise (${band}): ${cannotTell} whether distillation helped.`, suggestions: [...sweep, ...(studentsLevelledOff ? [] : ['training the students longer (KD students keep improving after a plain one levels off)']), ...(farAhead ? [LARGER_STUDENT] : []), overSeeds !== null ? 'more seeds, to narrow the interval' : result.fromStudy ? STUDY_SEEDS_AGAIN : severalSeeds(result.outDir)] });
    } else {
      advice.push({ level: 'good', message: `Distillation helped: ${formatPoints(kdGain)} points over the student alone${over}, beyond the noise (${band}).`, suggestions: [] });
    }
  }
  return advice;
}

/** Per-class accuracy (the confusion matrix's diagonal over its row sums); NaN for a class with no test images. */
export function perClassAccuracy(report: ModelReport): number[] {
  return report.confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? Number.NaN : row[c]! / total;
  });
}

export interface ClassComparisonRow {
  classIndex: number;
  teacher: number | null;
  student: number | null;
  baseline: number | null;
  /** KD student minus student alone, when both were trained. */
  gain: number | null;
  /** Among the classes distillation helped or hurt most (up to three each, by gain). */
  mark: 'helped' | 'hurt' | null;
  /** The gain's noise on this class's own test images (gainNoise), when there is a gain. */
  noise: number | null;
}

/** Whether a class's gain stands out of its own noise band. */
export const classGainBeyondNoise = (row: Pick<ClassComparisonRow, 'gain' | 'noise'>) => row.gain !== null && row.noise !== null && Math.abs(row.gain) > row.noise;

/** The three models side by side per class, with where distillation helped or hurt most marked. */
export function compareClasses(result: Pick<RunResult, 'teacher' | 'student' | 'baseline'>): ClassComparisonRow[] {
  const accuracies = (r: ModelReport | null) => (r ? perClassAccuracy(r) : null);
  const [t, s, b] = [accuracies(result.teacher), accuracies(result.student), accuracies(result.baseline)];
  const classes = (t ?? s ?? b ?? []).length;
  const rows: ClassComparisonRow[] = Array.from({ length: classes }, (_, c) => {
    const pick = (values: number[] | null) => (values && Number.isFinite(values[c]!) ? values[c]! : null);
    const [teacher, student, baseline] = [pick(t), pick(s), pick(b)];
    const both = student !== null && baseline !== null;
    // A class is scored on its own share of the test images: its band is wider than the run's, and a mark inside it may be chance.
    const images = result.student?.confusion[c]?.reduce((n, v) => n + v, 0) ?? 0;
    return { classIndex: c, teacher, student, baseline, gain: both ? student - baseline : null, mark: null, noise: both ? gainNoise(student, baseline, images) : null };
  });
  const ranked = rows.filter((r) => r.gain !== null && r.gain !== 0).sort((x, y) => y.gain! - x.gain!);
  for (const row of ranked.filter((r) => r.gain! > 0).slice(0, 3)) row.mark = 'helped';
  for (const row of ranked.filter((r) => r.gain! < 0).slice(-3)) row.mark = 'hurt';
  return rows;
}

/**
 * One method of a study seen as a run (its student against the study's student alone), so the
 * advice, the per-class table and the gallery work the same for studies. Null when the study has
 * no such row, or keeps no confusion matrices (studies saved before they did).
 */
export function studyMethodAsRun(study: StudyResult, method: string): (Pick<RunResult, 'teacher' | 'student' | 'baseline' | 'kdGain' | 'classNames' | 'sweep'> & { studentMethod: string; fromStudy: true; seeds?: SeedsGain | undefined }) | null {
  const row = study.rows.find((r) => r.method === method);
  const alone = study.rows.find((r) => r.method === 'baseline');
  if (!row?.confusion) return null;
  const report = (r: StudyRow): ModelReport => ({ name: study.student, accuracy: r.accuracy, testLoss: 0, params: r.params, bytes: 0, latencyMs: r.latencyMs ?? 0, confusion: r.confusion ?? [] });
  const baseline = alone?.confusion && alone !== row ? report(alone) : null;
  const seeds = row.seeds && row.seeds.meanGain !== null && row.seeds.gainStdErr !== null ? { count: row.seeds.seeds.length, meanGain: row.seeds.meanGain, gainStdErr: row.seeds.gainStdErr } : undefined;
  return { teacher: study.teacher, student: report(row), baseline, kdGain: baseline ? row.accuracy - baseline.accuracy : null, classNames: study.classNames, sweep: undefined, studentMethod: method, fromStudy: true, seeds };
}
