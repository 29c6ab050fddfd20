import type { RunResult } from '../../contract/events';
import { throwIfAborted } from '../errors';
import { getMethod } from '../methods/registry';
import { obtainTeacher } from './phases';
import { withRunFolder, type RunOptions } from './pipeline';
import { sweepKd, withKdCell } from './sweep';

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
      const { model: teacher, report } = await obtainTeacher(ctx);
      try {
        throwIfAborted(ctx.signal);
        const sweep = await sweepKd(ctx, teacher);
        await ctx.folder.updateConfig(withKdCell(config, sweep.best.temperature, sweep.best.alpha));
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
        } satisfies RunResult;
      } finally {
        teacher?.dispose();
      }
    },
    (folder, result) => folder.complete(result),
    [getMethod('kd')],
  );
}
