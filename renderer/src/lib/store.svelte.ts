import type { ApiResponse, DatasetView, ModelInfo, RunSummary } from '../../../electron/contract/api';
import type { PresetName, RunConfig, RunConfigOverrides } from '../../../electron/contract/run-config';
import { api } from '../api/bridge';
import { applyRunEvent, emptyRunView, runViewFromDetail, type RunView } from './run-view';

export type Screen = 'dataset' | 'models' | 'method' | 'training' | 'results' | 'history';

/** The app's state, shared by the screens (Svelte 5 runes). */
export const app = $state({
  screen: 'dataset' as Screen,
  info: null as ApiResponse<'appInfo'> | null,
  dataset: null as DatasetView | null,
  datasetBusy: false,
  datasetError: '',
  models: [] as ModelInfo[],
  teacher: 'mlp-800x2',
  /** '' trains the teacher named above; a run id reuses that run's teacher. */
  teacherRun: '',
  student: 'mlp-30x2',
  method: {
    temperature: 4,
    alpha: 0.5,
    epochs: 5,
    teacherEpochs: 8,
    teacherJitter: 2,
    batchSize: 64,
    lr: 0.05,
    trainBaseline: true,
    limitTrain: 10000 as number | null,
  },
  /** The method of a single run; a study trains every checked one of `studyMethods` instead. */
  methodId: 'kd' as 'kd' | 'fitnet' | 'at' | 'dkd' | 'baseline',
  initFromTeacher: false,
  studyMode: false,
  studyMethods: { baseline: true, kd: true, fitnet: true, at: false, dkd: true, 'init+kd': false } as Record<string, boolean>,
  /** The preset the form started from; its schedule, weight decay and augmentation apply. */
  preset: 'quick' as PresetName,
  presets: null as Record<PresetName, RunConfig> | null,
  download: null as { name: string; file: string; received: number; total: number | null } | null,
  run: null as RunView | null,
  runs: [] as RunSummary[],
  error: '',
});

export async function init(): Promise<void> {
  api().onEvent((event) => {
    if (event.type === 'download-progress') {
      app.download = { name: event.name, file: event.file, received: event.received, total: event.total };
      return;
    }
    if (event.type === 'run-ended') void refreshRuns();
    const run = app.run;
    if (!run || event.runId !== run.runId) return;
    if (event.type === 'run-event') applyRunEvent(run, event.event);
    else {
      run.status = event.status;
      run.error = event.error;
      if (event.status === 'completed') void openRun(event.runId, 'results');
    }
  });
  try {
    app.info = await api().appInfo({});
    app.presets = await api().listPresets({});
    await chooseDataset('mnist');
    await refreshRuns();
  } catch (error) {
    app.error = (error as Error).message;
  }
}

export async function chooseDataset(dataset: string): Promise<void> {
  await loadDataset(() => api().inspectDataset({ dataset }));
}

export async function downloadDataset(name: 'cifar10' | 'cifar100' | 'fashion-mnist'): Promise<void> {
  app.download = { name, file: '', received: 0, total: null };
  try {
    await loadDataset(() => api().downloadDataset({ name }));
  } finally {
    app.download = null;
  }
}

/** Fills the form from a preset (its recipe: epochs, T, α, learning rate, augmentation…). */
export function applyPreset(name: PresetName): void {
  const preset = app.presets?.[name];
  if (!preset) return;
  app.preset = name;
  app.teacher = preset.teacher;
  app.student = preset.student;
  app.teacherRun = '';
  Object.assign(app.method, {
    temperature: preset.temperature,
    alpha: preset.alpha,
    epochs: preset.epochs,
    teacherEpochs: preset.teacherEpochs,
    teacherJitter: preset.teacherJitter,
    batchSize: preset.batchSize,
    lr: preset.lr,
    trainBaseline: preset.trainBaseline,
    limitTrain: preset.limitTrain,
  });
}

export async function importFiles(files: File[], relativePaths?: string[]): Promise<void> {
  await loadDataset(() => api().importFiles(files, relativePaths));
}

async function loadDataset(load: () => Promise<DatasetView>): Promise<void> {
  app.datasetBusy = true;
  app.datasetError = '';
  try {
    app.dataset = await load();
    app.models = await api().listModels({ shape: app.dataset.shape, classes: app.dataset.classes });
  } catch (error) {
    // The dataset already chosen stays chosen: a bad drop loses nothing.
    app.datasetError = (error as Error).message;
  } finally {
    app.datasetBusy = false;
  }
}

export async function refreshRuns(): Promise<void> {
  app.runs = await api().listRuns({});
}

export function runOverrides(): RunConfigOverrides {
  const m = app.method;
  return {
    dataset: app.dataset?.dataset ?? 'mnist',
    teacher: app.teacherRun ? `run:${app.teacherRun}` : app.teacher,
    student: app.student,
    temperature: m.temperature,
    alpha: m.alpha,
    epochs: m.epochs,
    teacherEpochs: m.teacherEpochs,
    teacherJitter: m.teacherJitter,
    batchSize: m.batchSize,
    lr: m.lr,
    trainBaseline: m.trainBaseline,
    method: app.methodId,
    initFromTeacher: app.initFromTeacher,
    limitTrain: m.limitTrain,
    limitTest: null,
  };
}

export async function startRun(): Promise<void> {
  app.error = '';
  try {
    const overrides = runOverrides();
    if (app.studyMode) {
      const methods = Object.keys(app.studyMethods).filter((m) => app.studyMethods[m]);
      const { runId, config } = await api().startStudy({ preset: app.preset, overrides, methods: methods.join(',') });
      app.run = emptyRunView(runId, config, methods);
    } else {
      const { runId, config } = await api().startRun({ preset: app.preset, overrides });
      app.run = emptyRunView(runId, config);
    }
    app.screen = 'training';
  } catch (error) {
    app.error = (error as Error).message;
  }
}

export async function cancelRun(): Promise<void> {
  if (app.run) await api().cancelRun({ runId: app.run.runId });
}

export async function openRun(runId: string, screen: Screen): Promise<void> {
  const detail = await api().getRun({ runId });
  app.run = runViewFromDetail(detail);
  app.screen = screen;
}
