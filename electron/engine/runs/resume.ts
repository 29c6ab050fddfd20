import { basename, resolve } from 'node:path';
import type { BackendInfo, RunEvent, RunResult, StudyResult } from '../../contract/events';
import { DistillInputError } from '../errors';
import { RunCheckpoints } from './checkpoints';
import { runDistillation } from './pipeline';
import { readRunPlan } from './run-plan';
import { readRun, RunFolder, runIsLive, type StoredRun } from './store';
import { runStudy } from './study';
import { runSweep } from './sweep-run';

/** A run folder that can go on: not completed, and no live process training it. */
export async function resumableRun(dir: string): Promise<StoredRun> {
  const run = await readRun(resolve(dir), basename(resolve(dir)));
  if (!run) throw new DistillInputError(`${dir}: not a run folder (no readable config.json and status.json)`);
  if (run.status.status === 'completed') throw new DistillInputError(`run ${run.id} has already completed: there is nothing to resume`);
  if (await runIsLive(run.dir)) throw new DistillInputError(`run ${run.id} is still training in another process`);
  return run;
}

/**
 * Which metrics.jsonl lines a resume keeps, given each lane's epochs checkpointed: epoch and
 * progress lines past a lane's last checkpoint are trained again, and written again.
 */
export function keptThroughCheckpoints(epochsDone: ReadonlyMap<string, number>): (event: RunEvent) => boolean {
  return (event) => (event.type !== 'epoch' && event.type !== 'progress') || event.epoch <= (epochsDone.get(event.method ?? event.phase) ?? 0);
}

/**
 * Goes on with a failed, cancelled or interrupted run from its last checkpoints: finished phases
 * are kept, the phase that was training continues after its last complete epoch with its weights,
 * optimizer state and data order, and the result says the run was resumed.
 */
export async function resumeRun(options: { dir: string; backend: BackendInfo; signal?: AbortSignal; onEvent?: (event: RunEvent) => void }): Promise<RunResult | StudyResult> {
  const run = await resumableRun(options.dir);
  const folder = await RunFolder.open(run.dir, run.id);
  const checkpoints = new RunCheckpoints(run.dir);
  const lanes = new Map<string, number>();
  for (const event of run.metrics) if (event.type === 'epoch') lanes.set(event.method ?? event.phase, 0);
  for (const lane of lanes.keys()) lanes.set(lane, await checkpoints.epochsDone(lane));
  await folder.trimMetrics(keptThroughCheckpoints(lanes));
  const plan = await readRunPlan(run.dir);
  const common = { config: run.config, backend: options.backend, signal: options.signal, onEvent: options.onEvent, resume: folder };
  if (plan.command === 'sweep') return runSweep(common);
  if (plan.command === 'run') return runDistillation(common);
  return runStudy({ ...common, methods: [...plan.entries], seeds: plan.seeds });
}
