import type { ApiResponse, DatasetView, RunDetail, ExportProgress, ExportResult, ModelInfo, ModelRole, RunSummary, TeacherCheck, TeacherView } from '../../../electron/contract/api';
import { DEFAULT_PRESET, DEFAULT_STUDY, formatResizes, inAppWords, METHOD_IDS, presetConfig, RUN_SETTINGS, STUDY_SEEDS, STUDY_VARIANTS, type DownloadableDatasetId, type ExportFormatId } from '../../../electron/contract/catalogue';
import type { PresetName, RunConfig, RunConfigOverrides } from '../../../electron/contract/run-config';
import type { RunEvent, RunStatus, SweepResult } from '../../../electron/contract/events';
import { api } from '../api/bridge';
import { ImportCancelled, type ImportProgress } from '../api/app-api';
import { applyRunEvent, emptyRunView, runViewFromDetail, type RunView } from './run-view';
import { studyOverrides } from './study-form';
import { presetForDataset } from './dataset-preset';
import { createRunFollower } from './run-follower';
import { createEarlyEvents } from './early-events';
import { caughtUpView } from './run-catch-up';

/** What a refused request says, in the app's words (its settings' labels, not the CLI's flags). */
const errorText = (error: unknown) => inAppWords(error instanceof Error ? error.message : String(error));

export type Screen = 'dataset' | 'models' | 'method' | 'training' | 'results' | 'history';

/** Study entries a person can tick: every catalogue method and variant, the default study ticked. */
const studyChoices = () => Object.fromEntries([...METHOD_IDS, ...STUDY_VARIANTS.map((v) => v.id)].map((id) => [id, DEFAULT_STUDY.split(',').includes(id)]));

/** The app's state, shared by the screens (Svelte 5 runes). */
export const app = $state({
  screen: 'dataset' as Screen,
  info: null as ApiResponse<'appInfo'> | null,
  dataset: null as DatasetView | null,
  /** What a dataset being chosen is waiting for: its files, then the pickers' model sizes for its images. */
  datasetBusy: null as 'reading' | 'sizing' | null,
  datasetError: '',
  models: [] as ModelInfo[],
  /** Architectures typed on the Models screen (resnet20@0.25, mlp-100x2), listed after the catalogue's. */
  customModels: [] as string[],
  /** Why a typed architecture was refused, beside the picker it was typed for. */
  modelError: null as { role: 'teacher' | 'student'; message: string } | null,
  /** The preset the form started from, and the form itself: a full run configuration. */
  preset: DEFAULT_PRESET as PresetName,
  config: presetConfig(DEFAULT_PRESET) as RunConfig,
  /** Why the dataset chose the preset in force ('' when the person chose it, or it is the default). */
  presetNote: '',
  /** '' trains the teacher named in the config; a run id reuses that run's teacher; 'own' uses `ownTeacher`. */
  teacherRun: '',
  /** A teacher the person brought (an .onnx file, a TensorFlow.js LayersModel or GraphModel folder). */
  ownTeacher: null as TeacherView | null,
  /** The own teacher tried on the dataset's test images as declared (null until checked). */
  teacherCheck: null as TeacherCheck | null,
  teacherChecking: false,
  teacherBusy: false,
  teacherError: '',
  /** A study trains every checked one of `studyMethods` instead of `config.method`. */
  studyMode: false,
  studyMethods: studyChoices() as Record<string, boolean>,
  /** A study's seeds per method (STUDY_SEEDS). */
  studySeeds: STUDY_SEEDS.default as number,
  download: null as { name: string; file: string; received: number; total: number | null } | null,
  /** A browser upload under way (dataset or teacher), with its progress; Cancel stops it. */
  upload: null as { what: 'dataset' | 'teacher'; files: number; totalFiles: number; bytes: number; totalBytes: number } | null,
  /** An export under way, with its stage; Cancel stops it. */
  export: null as (ExportProgress & { runId: string; role: ModelRole; method?: string }) | null,
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
    if (event.type === 'export-progress') {
      // Only the export this window started (and still waits for) shows its bar, from its first event
      // on (in Electron, not while the save dialog is open).
      if (exportTarget?.runId === event.runId && exportTarget.role === event.role && exportTarget.method === event.method) app.export = { runId: event.runId, role: event.role, ...(event.method ? { method: event.method } : {}), stage: event.stage, done: event.done, total: event.total };
      return;
    }
    if (app.run?.runId !== event.runId) earlyEvents.keep(event);
    if (event.type === 'run-ended') runEnded(event.runId, event.status, event.error);
    else {
      follower.heard(event.runId);
      if (catchingUp?.runId === event.runId) catchingUp.since.push(event.event);
      else if (app.run?.runId === event.runId) applyRunEvent(app.run, event.event);
    }
  });
  api().onEventsResumed(() => void catchUp());
  try {
    app.info = await api().appInfo({});
    await chooseDataset('mnist');
    await refreshRuns();
  } catch (error) {
    app.error = errorText(error);
  }
}

export async function chooseDataset(dataset: string): Promise<void> {
  await loadDataset(() => api().inspectDataset({ dataset, imageSize: app.config.imageSize }));
}

/**
 * The dataset in view read again at the form's image size, once that is a valid one and not the
 * size its images have (an image folder's are resized to it): its summary, samples and the
 * pickers' model sizes follow. The form stays as it is.
 */
export async function resizeDatasetInView(): Promise<void> {
  const shown = app.dataset;
  const size = app.config.imageSize;
  if (!shown || !formatResizes(shown.format) || shown.shape[0] === size || !RUN_SETTINGS.imageSize.schema.safeParse(size).success) return;
  app.datasetBusy = 'reading';
  try {
    const resized = await api().inspectDataset({ dataset: shown.dataset, imageSize: size });
    // Another dataset chosen meanwhile wins.
    if (app.dataset !== shown) return;
    app.dataset = resized;
    app.datasetBusy = 'sizing';
    app.models = await modelsFor(resized);
  } catch (error) {
    app.datasetError = errorText(error);
  } finally {
    app.datasetBusy = null;
  }
}

export async function downloadDataset(name: DownloadableDatasetId): Promise<void> {
  app.download = { name, file: '', received: 0, total: null };
  try {
    await loadDataset(() => api().downloadDataset({ name }));
  } finally {
    app.download = null;
  }
}

/** The export this window started and waits for: only its progress events show. */
let exportTarget: { runId: string; role: ModelRole; method?: string | undefined } | null = null;
/** Exports a run's model, or (`method`) the student of one of a study's methods (a save dialog in Electron, a download in a browser); returns where it went. */
export async function exportModel(runId: string, role: ModelRole, format: ExportFormatId, method?: string): Promise<ExportResult> {
  exportTarget = { runId, role, method };
  try {
    return await api().exportModel({ runId, role, format, ...(method ? { method } : {}) });
  } finally {
    exportTarget = null;
    app.export = null;
  }
}

export async function cancelExport(): Promise<void> {
  if (app.export) await api().cancelExport({ runId: app.export.runId, role: app.export.role, ...(app.export.method ? { method: app.export.method } : {}) });
}

/** Fills the form from a preset (models, recipe, every method's options); the dataset stays. */
export function applyPreset(name: PresetName): void {
  app.preset = name;
  app.config = presetConfig(name);
  app.teacherRun = '';
  app.presetNote = '';
}

/** A dataset other than MNIST turns an untouched form to `auto` (presetForDataset), and says so. */
function suitPresetTo(dataset: string): void {
  const form = { preset: app.preset, config: $state.snapshot(app.config) as RunConfig, teacherChosen: app.teacherRun !== '', setByDataset: app.presetNote !== '' };
  const suited = presetForDataset(dataset, form);
  if (!suited) return;
  applyPreset(suited.preset);
  app.presetNote = suited.note;
}

let uploadStop: AbortController | null = null;

/** Progress for one import, shown in `app.upload` until it ends. */
function importProgress(what: 'dataset' | 'teacher'): ImportProgress {
  uploadStop?.abort();
  uploadStop = new AbortController();
  return { signal: uploadStop.signal, onProgress: (sent) => (app.upload = { what, ...sent }) };
}

/** Stops the upload under way; what was chosen before stays chosen. */
export function cancelImport(): void {
  uploadStop?.abort();
}

export async function importDropped(transfer: DataTransfer): Promise<void> {
  await loadDataset((progress) => api().importDropped(transfer, progress));
}

export async function importPicked(files: File[]): Promise<void> {
  await loadDataset((progress) => api().importPicked(files, progress));
}

/** The pickers' architectures for a dataset; typed ones too large for its images are dropped. */
async function modelsFor(dataset: DatasetView): Promise<ModelInfo[]> {
  const request = { shape: dataset.shape, classes: dataset.classes };
  if (app.customModels.length === 0) return api().listModels(request);
  try {
    return await api().listModels({ ...request, names: app.customModels });
  } catch {
    app.customModels = [];
    return api().listModels(request);
  }
}

/**
 * Adds a typed architecture to the pickers and picks it as the teacher or the student. An unknown
 * name, or one too large for the dataset's images, is shown beside the picker and changes nothing.
 */
export async function addModel(typed: string, role: 'teacher' | 'student'): Promise<void> {
  const name = typed.trim().toLowerCase();
  if (!app.dataset || !name) return;
  app.modelError = null;
  const names = [...app.customModels.filter((n) => n !== name), name].slice(-4);
  try {
    app.models = await api().listModels({ shape: app.dataset.shape, classes: app.dataset.classes, names });
    app.customModels = names;
    app.config[role] = name;
  } catch (error) {
    app.modelError = { role, message: errorText(error) };
  }
}

async function loadDataset(load: (progress: ImportProgress) => Promise<DatasetView>): Promise<void> {
  app.datasetBusy = 'reading';
  app.datasetError = '';
  try {
    app.dataset = await load(importProgress('dataset'));
    suitPresetTo(app.dataset.dataset);
    app.datasetBusy = 'sizing';
    app.models = await modelsFor(app.dataset);
  } catch (error) {
    // The dataset already chosen stays chosen: a bad drop loses nothing; a cancelled one says nothing.
    if (!(error instanceof ImportCancelled)) app.datasetError = errorText(error);
  } finally {
    app.datasetBusy = null;
    app.upload = null;
  }
}

export async function refreshRuns(): Promise<void> {
  app.runs = await api().listRuns({});
}

/** The form as overrides of its preset: all of it, with the chosen dataset and teacher. */
export function runOverrides(): RunConfigOverrides {
  const config = $state.snapshot(app.config) as RunConfig;
  const teacher = app.teacherRun === 'own' && app.ownTeacher ? app.ownTeacher.teacher : app.teacherRun ? `run:${app.teacherRun}` : config.teacher;
  return { ...config, dataset: app.dataset?.dataset ?? config.dataset, teacher };
}

export async function startRun(): Promise<void> {
  app.error = '';
  try {
    const overrides = runOverrides();
    if (app.studyMode) {
      const methods = Object.keys(app.studyMethods).filter((m) => app.studyMethods[m]);
      const { runId, config } = await api().startStudy({ preset: app.preset, overrides: studyOverrides(overrides), methods: methods.join(','), seeds: app.studySeeds });
      watchOwnRun(emptyRunView(runId, config, methods), { new: true });
    } else {
      const { runId, config } = await api().startRun({ preset: app.preset, overrides });
      watchOwnRun(emptyRunView(runId, config), { new: true });
    }
  } catch (error) {
    app.error = errorText(error);
  }
}

export async function cancelRun(): Promise<void> {
  if (app.run) await api().cancelRun({ runId: app.run.runId });
}

/** Puts a run as stored in view; the run watched live keeps the loss it sampled step by step (what is stored has eight points per epoch). */
function showStoredRun(detail: RunDetail): RunView {
  const view = runViewFromDetail(detail);
  if (app.run?.runId === detail.runId && app.run.loss.length > view.loss.length) view.loss = app.run.loss;
  app.run = view;
  return view;
}

/** A run ended (its event, or its stored status when the event was missed): History, and the run in view, say so; a completed one opens its results. */
function runEnded(runId: string, status: RunStatus, error: string | undefined): void {
  void refreshRuns();
  const run = app.run;
  if (!run || run.runId !== runId || run.status !== 'running') return;
  run.status = status;
  run.error = error === undefined ? undefined : inAppWords(error);
  if (status === 'completed') void openRun(runId, 'results');
}

/**
 * A run trained by another process (a CLI run in the same folder) sends no events: it is read again
 * while in view. This window's own runs are read again only for an end whose event was missed.
 */
const follower = createRunFollower({
  read: (runId) => api().getRun({ runId }),
  inView: () => (app.run?.status === 'running' ? app.run.runId : null),
  show: (detail) => {
    const running = showStoredRun(detail).status === 'running';
    if (!running) void refreshRuns();
    return running;
  },
  ended: (detail) => runEnded(detail.runId, detail.status, detail.error),
});

/** The run in view while its folder is read after lost events: the events that come meanwhile. */
let catchingUp: { runId: string; since: RunEvent[] } | null = null;

/** The event socket is back after a drop: the running run in view gets what it missed from its folder. */
async function catchUp(): Promise<void> {
  const run = app.run;
  if (!run || run.status !== 'running' || catchingUp) return;
  const waiting = (catchingUp = { runId: run.runId, since: [] });
  try {
    const detail = await api().getRun({ runId: run.runId });
    if (app.run === run) app.run = caughtUpView(run, detail, waiting.since);
  } catch {
    // Unread (the server is gone again): the events that came are not lost for that.
    if (app.run === run) for (const event of waiting.since) applyRunEvent(run, event);
  } finally {
    catchingUp = null;
  }
}

/** Events of runs not in view, for a run whose events came before the answer that started it. */
const earlyEvents = createEarlyEvents();

/**
 * A run this window has just started or resumed, in view on the Training screen. A new run's view
 * takes the events that came before it, and ends at once if its end was among them; a resumed
 * run's came from its folder, which holds them.
 */
function watchOwnRun(view: RunView, start: { new: true } | { resumedFrom: string | null }): void {
  const early = earlyEvents.take(view.runId);
  if ('new' in start) for (const event of early) if (event.type === 'run-event') applyRunEvent(view, event.event);
  app.run = view;
  app.screen = 'training';
  follower.followOwn(view.runId, 'new' in start ? null : start.resumedFrom);
  const ended = 'new' in start ? early.find((event) => event.type === 'run-ended') : undefined;
  if (ended) runEnded(ended.runId, ended.status, ended.error);
}

export async function openRun(runId: string, screen: Screen): Promise<void> {
  const view = showStoredRun(await api().getRun({ runId }));
  app.screen = screen;
  if (view.status === 'running') follower.follow(runId);
}

/** Continues a failed or cancelled run from its checkpoints; its charts keep what it had done. */
export async function resumeRun(runId: string): Promise<void> {
  app.error = '';
  try {
    await api().resumeRun({ runId });
    const detail = await api().getRun({ runId });
    watchOwnRun({ ...runViewFromDetail(detail), status: 'running' }, { resumedFrom: detail.status === 'running' ? null : detail.updatedAt });
  } catch (error) {
    app.error = errorText(error);
  }
}

/** A teacher dropped or picked on the Models screen; a bad one is a message, the choice so far stays. */
export async function importTeacher(load: (progress: ImportProgress) => Promise<TeacherView>): Promise<void> {
  app.teacherBusy = true;
  app.teacherError = '';
  try {
    app.ownTeacher = await load(importProgress('teacher'));
    app.teacherRun = 'own';
    app.teacherCheck = null;
  } catch (error) {
    if (!(error instanceof ImportCancelled)) app.teacherError = errorText(error);
  } finally {
    app.teacherBusy = false;
    app.upload = null;
  }
}

/** The own teacher on the chosen dataset's test images, fed as the form declares; a failure is the teacher's message. */
export async function checkOwnTeacher(): Promise<void> {
  if (!app.ownTeacher || !app.dataset) return;
  app.teacherChecking = true;
  app.teacherError = '';
  app.teacherCheck = null;
  const { teacherInputRange, teacherNormalization, teacherMeanStd, teacherResize } = app.config;
  try {
    app.teacherCheck = await api().checkTeacher({ teacher: app.ownTeacher.teacher, dataset: app.dataset.dataset, imageSize: app.config.imageSize, declaration: { teacherInputRange, teacherNormalization, teacherMeanStd, teacherResize } });
  } catch (error) {
    app.teacherError = errorText(error);
  } finally {
    app.teacherChecking = false;
  }
}

/** "Find T and α for me" from the Method screen: the form's teacher, then the sweep on a validation split. */
export async function startSweep(): Promise<void> {
  app.error = '';
  try {
    const { runId, config } = await api().startSweep({ preset: app.preset, overrides: runOverrides() });
    const view = emptyRunView(runId, config);
    // A sweep trains the teacher and the sweep's cells, no full students.
    view.lanes = view.lanes.filter((l) => l.key === 'teacher' || l.key === 'sweep');
    watchOwnRun(view, { new: true });
  } catch (error) {
    app.error = errorText(error);
  }
}

/** How many seeds "Measure the gain over seeds" trains: a 95 % interval about a third of one run's test-set noise here. */
export const CHECK_SEEDS = 5;

/**
 * One click from a run's Results: its distilled student and the student alone trained again over
 * CHECK_SEEDS seeds, on the run's own teacher, data and recipe (a study, started from the run's
 * id, so it works for a run on an uploaded dataset too), and the gain gets an error bar. The form
 * is left as it was.
 */
export async function measureOverSeeds(runId: string): Promise<void> {
  app.error = '';
  try {
    const started = await api().startStudyOfRun({ runId, seeds: CHECK_SEEDS });
    watchOwnRun(emptyRunView(started.runId, started.config, started.methods), { new: true });
  } catch (error) {
    app.error = errorText(error);
  }
}

/** One click from a finished sweep: the full run with its best T and α, on the sweep's teacher. */
export async function runBestCell(runId: string, sweep: SweepResult): Promise<void> {
  app.config.method = 'kd';
  app.config.methodOptions.kd.temperature = sweep.best.temperature;
  app.config.methodOptions.kd.alpha = sweep.best.alpha;
  // The sweep may have chosen to start the student from the teacher's weights (a sweep run from them already keeps the setting on).
  if (sweep.best.init) app.config.initFromTeacher = true;
  app.config.sweep = false;
  app.teacherRun = runId;
  app.studyMode = false;
  await startRun();
}
