import type { RunConfig } from './run-config';

/**
 * A finished run measured again over several seeds: its distilled student (as a study entry:
 * `dist`, `init+kd`, …) and the student alone, on the run's own teacher (`teacher`: a folder, or
 * `run:<id>` over the app's API) and recipe. The recipe's sweep and KD-or-DIST race are off (the
 * run already chose), and the teacher's weights start the student through the entry's `init+`,
 * not the run-wide setting, so the student alone starts at random as it did in the run.
 * The Results screen's "Measure this gain over seeds" and `distill study --from-run` both use it.
 */
export function seedsStudyOf(config: RunConfig, teacher: string): { config: RunConfig; methods: string[] } {
  const entry = `${config.initFromTeacher ? 'init+' : ''}${config.method}`;
  return {
    config: { ...config, teacher, sweep: false, tryDist: false, initFromTeacher: false },
    methods: config.method === 'baseline' ? ['baseline'] : ['baseline', entry],
  };
}
