import type { ModelRole } from '../../contract/api';

/** Where the three models of a run part ways on the test split: the mistakes gallery's groups. */
export const MISTAKE_GROUPS = {
  'kd-fixed': { label: 'the distilled student is right where the student alone is wrong', needs: ['student', 'baseline'] },
  'kd-broke': { label: 'the distilled student is wrong where the student alone is right', needs: ['student', 'baseline'] },
  'teacher-only': { label: 'the teacher is right and the distilled student wrong', needs: ['teacher', 'student'] },
  'all-wrong': { label: 'all of them are wrong', needs: ['teacher', 'student', 'baseline'] },
} as const satisfies Record<string, { label: string; needs: readonly ModelRole[] }>;
export type MistakeGroupId = keyof typeof MISTAKE_GROUPS;

export interface TopPrediction {
  classIndex: number;
  probability: number;
}

/** The three most probable classes of one row of logits (softmax at T = 1). */
export function topThree(logits: Float32Array, row: number, classes: number): TopPrediction[] {
  const values = logits.subarray(row * classes, (row + 1) * classes);
  const max = Math.max(...values);
  const exps = Array.from(values, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps
    .map((e, classIndex) => ({ classIndex, probability: e / sum }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 3);
}

const argmax = (logits: Float32Array, row: number, classes: number) => {
  let best = 0;
  for (let c = 1; c < classes; c++) if (logits[row * classes + c]! > logits[row * classes + best]!) best = c;
  return best;
};

/**
 * Test images sorted into the gallery's groups, each group's images in test order (all of them:
 * the caller shows the first few and the count). Groups whose models the run lacks are left out.
 */
export function groupMistakes(logits: Partial<Record<ModelRole, Float32Array>>, labels: Uint8Array, classes: number): Partial<Record<MistakeGroupId, number[]>> {
  const right = (role: ModelRole, i: number) => argmax(logits[role]!, i, classes) === labels[i];
  const tests: Record<MistakeGroupId, (i: number) => boolean> = {
    'kd-fixed': (i) => right('student', i) && !right('baseline', i),
    'kd-broke': (i) => !right('student', i) && right('baseline', i),
    'teacher-only': (i) => right('teacher', i) && !right('student', i),
    'all-wrong': (i) => !right('teacher', i) && !right('student', i) && !right('baseline', i),
  };
  const groups: Partial<Record<MistakeGroupId, number[]>> = {};
  for (const [id, group] of Object.entries(MISTAKE_GROUPS) as Array<[MistakeGroupId, (typeof MISTAKE_GROUPS)[MistakeGroupId]]>) {
    if (!group.needs.every((role) => logits[role])) continue;
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (tests[id](i)) members.push(i);
    groups[id] = members;
  }
  return groups;
}
