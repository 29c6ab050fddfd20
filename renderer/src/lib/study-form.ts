import type { RunConfig, RunConfigOverrides } from '../../../electron/contract/run-config';

/**
 * A study trains every checked method at the form's options: the recipe's T × α sweep, its
 * KD-or-DIST race and its restarts (auto's) are choices a study makes by its own table (and its
 * seeds per method), so they are off in it.
 */
export function studyOverrides(overrides: RunConfigOverrides): RunConfigOverrides {
  return { ...overrides, sweep: false, tryDist: false, restarts: 1 };
}

/** What the Method screen says when the recipe would sweep, race or restart in a single run; null when it would not. */
export function studyRecipeNote(config: Pick<RunConfig, 'sweep' | 'tryDist' | 'restarts'>): string | null {
  const skipped = [config.sweep ? 'T × α sweep' : null, config.tryDist ? 'race of KD against DIST' : null, config.restarts > 1 ? 'restarts' : null].filter((part) => part !== null);
  if (skipped.length === 0) return null;
  const list = skipped.length > 1 ? `${skipped.slice(0, -1).join(', ')} and ${skipped.at(-1)}` : skipped[0];
  return `The recipe's ${list} ${skipped.length > 1 || config.restarts > 1 ? 'do' : 'does'} not run in a study: every checked method trains at the T, α and options below (tick DIST to compare it; "seeds per method" trains each again with other seeds).`;
}
