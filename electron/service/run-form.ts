import type { DatasetView, RunForm } from '../contract/api';
import { DEFAULT_PRESET } from '../contract/catalogue';
import { nearestPreset } from '../contract/command-line';
import { describeTeacher, readRunPlan, settingsIdleForDataset, teacherIsSaved, type StoredRun } from '../engine';
import type { sourceResolver } from './sources';

interface RunFormDeps {
  sources: Pick<ReturnType<typeof sourceResolver>, 'datasetSpecOf' | 'teacherSpecOf'>;
  /** A dataset as a client names it, opened at an image size (what inspectDataset answers). */
  view: (spec: string, imageSize: number) => Promise<DatasetView>;
  ensureBackend: () => Promise<unknown>;
}

/**
 * "Edit and run again": a stored run's settings as the app's form takes them. Its dataset and
 * teacher are named again as this host's client names them (sources.ts, the inverse of how a run
 * is started); what cannot be opened here comes back null or `missing`, and the form keeps its own.
 */
export async function runFormOf(run: StoredRun, deps: RunFormDeps): Promise<RunForm> {
  const { config } = run;
  const plan = await readRunPlan(run.dir);
  const datasetSpec = await deps.sources.datasetSpecOf(config.dataset);
  const dataset = datasetSpec === null ? null : await deps.view(datasetSpec, config.imageSize).catch(() => null);
  const source = await deps.sources.teacherSpecOf(config.teacher);
  let teacher: RunForm['teacher'] = source.kind === 'own' ? { kind: 'missing' } : source;
  if (source.kind === 'own') {
    await deps.ensureBackend();
    teacher = await describeTeacher(source.path).then((info) => ({ kind: 'own' as const, view: { teacher: source.spec, ...info } }), () => ({ kind: 'missing' as const }));
  }
  const preset = nearestPreset(config, plan, teacherIsSaved(config), await settingsIdleForDataset(config.dataset))?.preset ?? DEFAULT_PRESET;
  return {
    preset,
    config: { ...config, ...(datasetSpec === null ? {} : { dataset: datasetSpec }) },
    dataset,
    teacher,
    study: plan.command === 'study' ? { methods: plan.entries.map((e) => e.name), seeds: plan.seeds } : null,
    sweep: plan.command === 'sweep',
  };
}
