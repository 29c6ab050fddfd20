import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../../contract/events';
import { throwIfAborted } from '../errors';
import { getMethod } from '../methods/registry';
import { obtainTeacher } from './phases';
import { withRunFolder, type RunOptions } from './pipeline';
import { withSweepChoice } from '../../contract/best-cell';
import { sweepKd } from './sweep';

/** In a `distill sweep` run's folder: marks it as the sweep alone, for a resume. */
export const SWEEP_PLAN = 'sweep-plan.json';

/**
 * "Find T and α for me": the teacher (trained or brought), then the T × α sweep on the
 * validation split, and nothing else. The run's result holds the teacher and the grid; its
 * config.json holds the best cell, so a full run can start from it.
 */
export async function runSweep(options: RunOptions): Promise<RunResult> {
  const config = { ...options.config, sweep: true, method: 'kd' as const };
  return withRunFolder(
    { ...options, config, withTeacher: true },
    async (ctx, backend, started) => {
      // A resume must go on with the sweep alone, not the full run its config would describe.
      if (!options.resume) await writeFile(join(ctx.folder.dir, SWEEP_PLAN), JSON.stringify({ sweepOnly: true }) + '\n');
      const { model: teacher, report } = await obtainTeacher(ctx);
      try {
        throwIfAborted(ctx.signal);
        const sweep = await sweepKd(ctx, teacher);
        await ctx.folder.updateConfig(withSweepChoice(config, sweep.best));
        const resumed = await ctx.folder.resumeCount();
        return {
          type: 'result',
          runId: ctx.folder.id,
          status: 'completed',
          teacher: report,
          student: null,
          baseline: null,
          kdGain: null,
          backend,
          outDir: ctx.folder.dir,
          seconds: (performance.now() - started) / 1000,
          classNames: ctx.dataset.classNames,
          sweep,
          ...(resumed ? { resumed } : {}),
        } satisfies RunResult;
      } finally {
        teacher?.dispose();
      }
    },
    (folder, result) => folder.complete(result),
    [getMethod('kd')],
  );
}
