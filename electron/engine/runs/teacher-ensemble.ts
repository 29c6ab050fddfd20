import type * as tf from '@tensorflow/tfjs';
import { formatPercent, formatPoints, seedLabel } from '../../contract/display';
import type { ModelReport } from '../../contract/events';
import { ensembleModel, ensembleName } from '../models/ensemble';
import { loadModelFolder, saveModelFolder } from './model-io';
import { metadataFor, reportModel, trainTeacher, type PhaseContext } from './phases';
import { studySeeds } from './study-seeds';

/** Where member `seed` of an ensemble is kept in the run folder (and its checkpoints' key). */
export const ensembleMemberFolder = (seed: number) => `teacher-seed${seed}` as const;

/**
 * `--ensemble N`: N teachers of the run's architecture, trained one after another with seeds
 * S … S+N−1 (another start and data order each; the first is the teacher a run without the
 * ensemble trains, to the last digit), then joined into one model that averages their logits
 * (../models/ensemble.ts). That model is the run's `teacher`: every student, the sweep, the
 * soft-label explorer and a later run's `--teacher runs/<id>` read it as they read one teacher.
 * The members stay in `teacher-seed<s>` folders. A resumed run reloads each member it finished.
 */
export async function obtainEnsemble(ctx: PhaseContext): Promise<{ model: tf.LayersModel; report: ModelReport; description: string }> {
  const { config, folder, emit } = ctx;
  const seeds = studySeeds(config.seed, config.ensemble);
  const name = ensembleName(config.teacher, seeds.length);
  const done = await ctx.checkpoints.done('teacher');
  if (done) {
    const loaded = await loadModelFolder(folder.modelDir('teacher'));
    await emit({ type: 'phase', phase: 'teacher', status: 'loaded', model: name, detail: 'trained before the run was resumed' });
    return { model: loaded.model, report: done.report, description: done.description };
  }
  const members: Array<{ model: tf.LayersModel; report: ModelReport }> = [];
  try {
    for (const seed of seeds) {
      const lane = seedLabel('teacher', seed, seeds[0]!);
      members.push(await trainTeacher(ctx, { seed, key: ensembleMemberFolder(seed), ...(lane === 'teacher' ? {} : { label: lane }), saveTo: folder.modelDir(ensembleMemberFolder(seed)) }));
    }
    const started = performance.now();
    const model = await ensembleModel(members.map((m) => m.model), name);
    await saveModelFolder(model, folder.modelDir('teacher'), metadataFor(ctx.dataset, name));
    const report = await reportModel(ctx, model, name, null);
    const scores = members.map((m, i) => `${seeds[i]}: ${formatPercent(m.report.accuracy)}`).join(', ');
    const best = Math.max(...members.map((m) => m.report.accuracy));
    const description = `teacher: an ensemble of ${seeds.length} ${config.teacher} trained with seeds ${seeds[0]}–${seeds.at(-1)} (test accuracy ${scores}), their logits averaged: ${formatPercent(report.accuracy)}, ${formatPoints(report.accuracy - best)} points against the best of them; each is in ${ensembleMemberFolder(seeds[0]!)} … ${ensembleMemberFolder(seeds.at(-1)!)}`;
    await emit({ type: 'phase', phase: 'teacher', status: 'done', model: name, detail: description.replace(/^teacher: /, '') });
    await ctx.checkpoints.markDone('teacher', { report, seconds: (performance.now() - started) / 1000, description });
    return { model, report, description };
  } finally {
    for (const member of members) member.model.dispose();
  }
}
