import type { StudyRow } from '../../contract/events';

/** A study entry trained with one seed: its test accuracy. */
export interface SeedAccuracy {
  seed: number;
  accuracy: number;
}

/**
 * The seeds summary of one study row: the mean accuracy, and the gain over the student alone as
 * the mean of seed-by-seed differences with its standard error. Pairing by seed cancels what a
 * seed does to both students (the data order, the same start); gains are null without the student
 * alone, the standard error without two seeds.
 */
export function summariseSeeds(own: readonly SeedAccuracy[], alone: readonly SeedAccuracy[] | null): NonNullable<StudyRow['seeds']> {
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const aloneBySeed = new Map(alone?.map((a) => [a.seed, a.accuracy]));
  const gains = alone ? own.filter((o) => aloneBySeed.has(o.seed)).map((o) => o.accuracy - aloneBySeed.get(o.seed)!) : [];
  const meanGain = gains.length ? mean(gains) : null;
  const gainStdErr = meanGain !== null && gains.length > 1 ? Math.sqrt(gains.reduce((sum, g) => sum + (g - meanGain) ** 2, 0) / (gains.length - 1) / gains.length) : null;
  return { seeds: own.map((o) => o.seed), accuracies: own.map((o) => o.accuracy), meanAccuracy: mean(own.map((o) => o.accuracy)), meanGain, gainStdErr };
}

/** The seeds a study trains: S, S+1, … (seeds is at least 1). */
export const studySeeds = (first: number, seeds: number): number[] => Array.from({ length: seeds }, (_, i) => first + i);
