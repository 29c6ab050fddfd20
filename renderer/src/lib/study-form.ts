import type { RunConfig, RunConfigOverrides } from '../../../electron/contract/run-config';

/**
 * A study trains every checked method at the form's options: the recipe's T × α sweep and its
 * KD-or-DIST race (auto's) are choices a study makes by its own table, so they are off in it.
 */
export function studyOverrides(overrides: RunConfigOverrides): RunConfigOverrides {
  return { ...overrides, sweep: false, tryDist: false };
}

/** What the Method screen says when the recipe would sweep or race in a single run; null when it would not. */
export function studyRecipeNote(config: Pick<RunConfig, 'sweep' | 'tryDist'>): string | null {
  const skipped = [config.sweep ? 'T × α sweep' : null, config.tryDist ? 'race of KD against DIST' : null].filter((part) => part !== null);
  if (skipped.length === 0) return null;
  return `The recipe's ${skipped.join(' and ')} ${skipped.length > 1 ? 'do' : 'does'} not run in a study: every checked method trains at the T, α and options below (tick DIST to compare it).`;
}
