import type { DatasetView, ExportResult, ModelInfo, ModelRole, RunForm, RunNotes, TeacherView } from '../../../electron/contract/api';
import { bestCellRunConfig } from '../../../electron/contract/best-cell';
import { formatResizes, presetConfig, RUN_SETTINGS, TEACHER_INPUT_SETTINGS, type DownloadableDatasetId, type ExportFormatId, type RunSettingKey } from '../../../electron/contract/catalogue';
import type { PresetName, RunConfig, RunConfigOverrides } from '../../../electron/contract/run-config';
import type { SweepResult } from '../../../electron/contract/events';
import { api } from '../api/bridge';
import { ImportCancelled, type ImportProgress } from '../api/app-api';
import { emptyRunView, runViewFromDetail } from './run-view';
import { studyOverrides } from './study-form';
import { presetForDataset } from './dataset-preset';
import { app, errorText } from './app-state.svelte';
import { onEventsResumed, onRunChannelEvent, refreshRuns, watchOwnRun } from './run-in-view.svelte';

/*
 * What the screens do: choose data and models, start, cancel and resume runs, import, export. The
 * state they share is `app` (app-state); the run in view is kept up to date in run-in-view.
 */
export { app, type Screen } from './app-state.svelte';
export { openRun, refreshRuns } from './run-in-view.svelte';

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
    onRunChannelEvent(event);
  });
  api().onEventsResumed(onEventsResumed);
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
  app.formNote = '';
}

/**
 * "Edit and run again": the form takes a run's settings (its dataset, teacher, method or study and
 * every option) and opens on the Method screen, to change what the person likes and start. What
 * cannot be found again here (a dataset or teacher gone, a study entry the form does not offer) is
 * said, and the form keeps its own for it.
 */
export async function editAndRunAgain(runId: string): Promise<void> {
  app.error = '';
  try {
    const form = await api().runForm({ runId });
    const kept = await takeRunForm(form);
    const what = form.sweep ? 'sweep' : form.study ? 'study' : 'run';
    app.formNote = `The form holds the settings of ${what} ${runId}${form.sweep ? ' (“Find T and α for me” runs it again)' : ''}: change what you like, then start.${kept.length ? ` Not taken: ${kept.join('; ')}.` : ''}`;
    app.screen = 'method';
  } catch (error) {
    app.error = errorText(error);
  }
}

/** A stored run's form into the app's: its dataset opened, its preset, settings, teacher and study. What could not be taken comes back as notes, and the form keeps its own there. */
async function takeRunForm(form: RunForm): Promise<string[]> {
  const kept: string[] = [];
  if (form.dataset) {
    app.dataset = form.dataset;
    app.datasetError = '';
    app.models = await modelsFor(form.dataset);
  } else kept.push(`its dataset (${form.config.dataset}) cannot be opened here, so the one chosen stays`);
  app.preset = form.preset;
  app.presetNote = '';
  app.config = form.config;
  // An architecture typed for that run (resnet20@0.25) joins the pickers again, as typed ones do.
  const typed = [form.config.student, ...(form.teacher.kind === 'trained' ? [form.config.teacher] : [])].filter((name) => !app.models.some((m) => m.name === name));
  if (typed.length && app.dataset) {
    app.customModels = [...app.customModels.filter((name) => !typed.includes(name)), ...typed].slice(-4);
    app.models = await modelsFor(app.dataset);
  }
  if (form.teacher.kind === 'run') app.teacherRun = form.teacher.runId;
  else if (form.teacher.kind === 'own') {
    app.ownTeacher = form.teacher.view;
    app.teacherRun = 'own';
    app.teacherCheck = null;
  } else {
    app.teacherRun = '';
    if (form.teacher.kind === 'missing') {
      app.config.teacher = presetConfig(form.preset).teacher;
      kept.push(`its teacher (${form.config.teacher}) cannot be found here, so the form trains a new ${app.config.teacher}: choose another on Models`);
    }
  }
  app.studyMode = form.study !== null;
  if (form.study) {
    const offered = Object.keys(app.studyMethods);
    app.studyMethods = Object.fromEntries(offered.map((id) => [id, form.study!.methods.includes(id)]));
    app.studySeeds = form.study.seeds;
    const left = form.study.methods.filter((id) => !offered.includes(id));
    if (left.length) kept.push(`the form does not offer ${left.join(', ')}, which the study also trained`);
  }
  return kept;
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


/** The form as overrides of its preset: all of it, with the chosen dataset and teacher. */
export function runOverrides(): RunConfigOverrides {
  const config = $state.snapshot(app.config) as RunConfig;
  const teacher = app.teacherRun === 'own' && app.ownTeacher ? app.ownTeacher.teacher : app.teacherRun ? `run:${app.teacherRun}` : config.teacher;
  return { ...config, dataset: app.dataset?.dataset ?? config.dataset, teacher };
}

export async function startRun(): Promise<void> {
  app.error = '';
  app.formNote = '';
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


/** Keeps a run's name and notes; the run in view and History show what was kept. A refusal is thrown, for the form to show. */
export async function saveRunNotes(runId: string, notes: RunNotes): Promise<void> {
  const kept = await api().annotateRun({ runId, ...notes });
  const shown = kept.name || kept.note ? kept : null;
  if (app.run?.runId === runId) app.run.notes = shown;
  const listed = app.runs.find((r) => r.runId === runId);
  if (listed) {
    if (shown) listed.notes = shown;
    else delete listed.notes;
  }
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

/**
 * The teacher source picked on the Models screen: a new one trained here, the dropped one, or an
 * earlier run's, which comes with how that run fed it (an imported teacher's input declaration),
 * so a teacher that needed `custom` normalisation is not fed the defaults the second time.
 */
export function chooseTeacherSource(source: string): void {
  app.teacherRun = source;
  // A saved or imported teacher is loaded as it is (an ensemble already, or one model): no teachers to train.
  if (source) app.config.ensemble = 1;
  const run = source && source !== 'own' ? app.runs.find((r) => r.runId === source) : undefined;
  if (!run) return;
  // A teacher that run trained takes images as the app feeds its own models, whatever idle input
  // settings its config carried (the service holds to that too); one it loaded, as it declared.
  for (const key of TEACHER_INPUT_SETTINGS) (app.config as Record<RunSettingKey, unknown>)[key] = run.teacherLoaded ? run.config[key] : RUN_SETTINGS[key].default;
}

/** The teachers of runs ticked in History joined into one (an ensemble), then the Models screen with it chosen, or with what stopped it. */
export async function ensembleTeachersOf(runIds: string[]): Promise<void> {
  app.screen = 'models';
  await importTeacher(() => api().ensembleTeachers({ runIds }));
}

/** A teacher dropped or picked on the Models screen; a bad one is a message, the choice so far stays. */
export async function importTeacher(load: (progress: ImportProgress) => Promise<TeacherView>): Promise<void> {
  app.teacherBusy = true;
  app.teacherError = '';
  try {
    app.ownTeacher = await load(importProgress('teacher'));
    chooseTeacherSource('own');
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
  app.formNote = '';
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

/**
 * One click from a finished sweep: the full run with its best T and α, on the sweep's teacher,
 * with every other setting of that sweep (bestCellRunConfig), whatever the form holds now (a
 * sweep opened from History). The form is left holding that run's settings.
 */
export async function runBestCell(runId: string, sweep: SweepResult): Promise<void> {
  app.error = '';
  try {
    const form = await api().runForm({ runId });
    if (!form.dataset) throw new Error(`the sweep's dataset (${form.config.dataset}) cannot be opened here, so its best cell cannot be trained on it`);
    await takeRunForm(form);
    app.config = bestCellRunConfig(form.config, sweep.best);
    chooseTeacherSource(runId);
    app.studyMode = false;
  } catch (error) {
    app.error = errorText(error);
    return;
  }
  await startRun();
}
