import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ApiEvent, type DistillService, type HostService, type RunSummary } from '../contract/api';
import type { BackendInfo, RunEvent } from '../contract/events';
import type { PresetName, RunConfig, RunConfigOverrides } from '../contract/run-config';
import {
  checkRunInputs,
  checkTeacher,
  describeTeacher,
  DistillInputError,
  DownloadError,
  downloadDataset,
  findFamily,
  getMethod,
  listModels,
  listRuns,
  parseStudyMethods,
  autoChoice,
  availableCores,
  commandLinesOfRun,
  probeBackends,
  readRun,
  resolveConfig,
  RunFolder,
  RunModelCache,
  runInterrupted,
  runIsLive,
  resumableRun,
  resumeRun,
  runDistillation,
  runStudy,
  runSweep,
  saveEnsembleOfTeachers,
  studyConfig,
  studyOfRun,
  teacherFolder,
  teacherIsSaved,
  type StoredRun,
  writeRunNotes,
} from '../engine';
import { datasetFolderFromPaths, markImported } from './dataset-import';
import { sourceResolver } from './sources';
import { createModelExports } from './model-exports';
import { runFormOf } from './run-form';
import { createServiceBackend } from './service-backend';
import { base64, createDatasetViews } from './dataset-views';
import { createRunSlot } from './run-slot';

export interface ServiceOptions {
  /** Run folders, shared with the CLI's `--runs-dir`. */
  runsDir: string;
  /** Imported datasets and browser uploads. */
  workDir: string;
  host: 'electron' | 'server';
  version: string;
  onEvent: (event: ApiEvent) => void;
  /** Where catalogue datasets are fetched from instead of their official addresses (a mirror; a test server), and the cache. */
  datasets?: { baseUrl?: string; cache?: string };
}

export interface HostedService extends DistillService, HostService {
  uploadsDir: string;
  runsDir: string;
  /** A finished browser export by its download id, once: the server streams it, then deletes it. */
  takeDownload(id: string): { path: string; fileName: string } | null;
  dispose(): Promise<void>;
}

/** The app's operations over the engine; hosted by the Electron worker and by `distill serve`. */
export function createDistillService(options: ServiceOptions): HostedService {
  const runsDir = options.runsDir;
  const importsDir = join(options.workDir, 'datasets');
  const uploadsDir = join(options.workDir, 'uploads');
  const exportsDir = join(options.workDir, 'exports');
  /** Dataset downloads in progress, by name, so a client can cancel one. */
  const downloading = new Map<string, AbortController>();
  const runModels = new RunModelCache();

  // Parameter counts, soft labels, mistakes and export checks need a backend, and must not switch a training run's.
  const backends = createServiceBackend(() => slot.busy());
  const ensureBackend = () => backends.forService();

  const sources = sourceResolver({ host: options.host, uploadsDir, runsDir });
  const { uploadedPaths, datasetPath, teacherPath, teacherSource } = sources;
  const { datasetAt, dataset, view, forget: forgetDataset } = createDatasetViews(datasetPath);
  const slot = createRunSlot({ onEvent: options.onEvent, onLaunch: forgetDataset });

  /** A study's student asked for by method, checked against its rows; none asked, the run's own. */
  const studyStudent = (run: StoredRun, method: string | undefined) => {
    if (method !== undefined && !run.study?.rows.some((row) => row.method === method)) throw new DistillInputError(`run ${run.id} is not a study with a ${method} student`);
    return method;
  };

  const modelExports = createModelExports({ exportsDir, version: options.version, onEvent: options.onEvent, ensureBackend, runDir: async (runId) => (await storedRun(runId)).dir });

  const storedRun = async (runId: string, withProgress = false): Promise<StoredRun> => {
    const run = await readRun(join(runsDir, runId), runId, { withProgress });
    if (!run) throw new DistillInputError(`no run ${runId}`);
    return run;
  };

  const prepareConfig = async (preset: PresetName, overrides: RunConfigOverrides) => {
    const source = overrides.teacher === undefined ? undefined : await teacherSource(overrides.teacher);
    const teacher = source?.path;
    const dataset = overrides.dataset === undefined ? undefined : await datasetPath(overrides.dataset);
    // An earlier run's teacher (`run:<id>`) is fed as that run declared it, where the request says
    // nothing (as the CLI's --teacher runs/<id>); one that run trained always as the app feeds its
    // own models: a form may carry an imported teacher's input settings from an earlier check.
    const declared = source?.declaration;
    const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
    return resolveConfig(preset, source?.trainedHere ? { ...given, ...declared, dataset, teacher } : { ...declared, ...given, dataset, teacher });
  };

  /** The backend is chosen here, at the edge, before the run exists: a missing one is the request's error. */
  const activateBackend = (config: RunConfig) => backends.forRun(config);

  /**
   * A run, sweep or study: the slot reserved, the config prepared (from a client's preset and
   * overrides, or a stored run's config) and `adjust`ed and checked,
   * the backend chosen, then training launched; any failure before the launch frees the slot.
   */
  const start = async (
    prepare: () => Promise<RunConfig>,
    adjust: (config: RunConfig) => RunConfig,
    methods: Array<ReturnType<typeof getMethod>>,
    train: (config: RunConfig, options: { backend: BackendInfo; runsRoot: string; runId: string; signal: AbortSignal; onEvent: (event: RunEvent) => void }) => Promise<unknown>,
  ) => {
    const release = slot.reserve();
    try {
      const config = adjust(await prepare());
      await checkRunInputs(config, await datasetAt(config.dataset, config.imageSize), methods.length ? methods : undefined);
      const backend = await activateBackend(config);
      return slot.launch(config, release, (runId, signal, onEvent) => train(config, { backend, runsRoot: runsDir, runId, signal, onEvent }));
    } catch (error) {
      release();
      throw error;
    }
  };

  const studyOf = (prepare: () => Promise<RunConfig>, methods: string, seeds: number | undefined) => {
    const entries = parseStudyMethods(methods);
    return start(prepare, studyConfig, entries.map((entry) => getMethod(entry.method)), (config, options) => runStudy({ config, methods: entries, seeds, ...options }));
  };

  /**
   * A run left `running` by a crash or a closed app is marked failed when next seen; one a live
   * process trains (a CLI run in the same folder) is left alone.
   */
  const notesOf = (run: StoredRun) => (run.notes ? { notes: run.notes } : {});
  const settle = async (run: StoredRun): Promise<RunSummary> => {
    if (!slot.training(run.id) && (await runInterrupted(run))) {
      const error = 'interrupted: the training process ended before the run finished';
      await new RunFolder(run.id, run.dir).setStatus('failed', error);
      return { runId: run.id, kind: run.kind, status: 'failed', error, updatedAt: new Date().toISOString(), config: run.config, teacherLoaded: teacherIsSaved(run.config), result: null, study: null, ...notesOf(run) };
    }
    return { runId: run.id, kind: run.kind, status: run.status.status, error: run.status.error, updatedAt: run.status.updatedAt, config: run.config, teacherLoaded: teacherIsSaved(run.config), result: run.result, study: run.study, ...notesOf(run) };
  };

  return {
    runsDir,
    uploadsDir,

    async appInfo() {
      const probes = await probeBackends();
      const backends = Object.entries(probes).map(([name, probe]) => ({
        name: name as 'cpu',
        ok: probe.ok,
        detail: probe.ok ? probe.device : probe.reason,
      }));
      return { version: options.version, host: options.host, backends, auto: autoChoice(probes), cores: availableCores(), runsDir };
    },

    async listModels({ shape, classes, names }) {
      await ensureBackend();
      return listModels(shape, classes, names);
    },

    inspectDataset: ({ dataset: spec, imageSize }) => view(spec, imageSize),

    async downloadDataset({ name }) {
      if (downloading.has(name)) throw new DistillInputError(`${name} is downloading already`);
      const controller = new AbortController();
      downloading.set(name, controller);
      try {
        await downloadDataset(name, { ...options.datasets, signal: controller.signal, onProgress: (p) => options.onEvent({ type: 'download-progress', name, ...p }) });
      } catch (error) {
        if (controller.signal.aborted) throw new DistillInputError(`download of ${name} cancelled; what was fetched stays in the cache and the next download resumes from it`);
        // A failed download is the person's to retry: say what happened, keep the app going.
        if (error instanceof DownloadError) throw new DistillInputError(error.message);
        throw error;
      } finally {
        downloading.delete(name);
      }
      return view(name);
    },

    async cancelDownload({ name }) {
      const controller = downloading.get(name);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    /** An upload, opened where it was uploaded; named `upload:<id>` from then on. */
    async importDataset({ source }) {
      const opened = await view(`upload:${source.uploadId}`);
      await markImported(join(uploadsDir, source.uploadId));
      return opened;
    },

    /** A teacher folder uploaded by a browser; named `upload:<id>` in runs. */
    async importTeacher({ source }) {
      await ensureBackend();
      const folder = await teacherFolder(await uploadedPaths(join(uploadsDir, source.uploadId)));
      const info = await describeTeacher(folder);
      await markImported(join(uploadsDir, source.uploadId));
      return { teacher: `upload:${source.uploadId}`, ...info };
    },

    /**
     * Earlier runs' teachers joined into one (`distill ensemble`), kept beside the uploads as one
     * that was imported: `upload:<id>` over HTTP, its folder in the desktop app. A refusal keeps nothing.
     */
    async ensembleTeachers({ runIds }) {
      await ensureBackend();
      const uploadId = randomBytes(8).toString('hex');
      const dir = join(uploadsDir, uploadId);
      const folder = join(dir, 'ensemble');
      await mkdir(dir, { recursive: true });
      try {
        await saveEnsembleOfTeachers(runIds.map((runId) => join(runsDir, runId)), folder, runIds.map((runId) => `run ${runId}`));
        await markImported(dir);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      return { teacher: options.host === 'server' ? `upload:${uploadId}` : folder, ...(await describeTeacher(folder)) };
    },

    /** Desktop host: a teacher folder, or its files, by path. */
    async importTeacherPaths({ paths }) {
      await ensureBackend();
      const folder = await teacherFolder(paths);
      return { teacher: folder, ...(await describeTeacher(folder)) };
    },

    /** An imported teacher tried on a dataset's first test images, fed as declared, before a run. */
    async checkTeacher({ teacher, dataset: spec, imageSize, declaration }) {
      const path = await teacherPath(teacher);
      if (findFamily(path)) throw new DistillInputError(`${teacher} is one of this app's architectures, trained in the run: there is nothing to check yet`);
      const data = await dataset(spec, imageSize);
      await ensureBackend();
      const check = await checkTeacher(path, data, declaration);
      return {
        ...check,
        byName: check.mapping.byName,
        mapping: data.classNames.map((className, c) => ({ className, output: check.mapping.columns[c]!, teacherName: check.mapping.teacherNames?.[c] ?? null })),
        shape: data.shape,
        classNames: data.classNames,
        samples: check.samples.map((sample) => ({ ...sample, pixels: base64(sample.pixels) })),
      };
    },

    /** Desktop host: dropped paths; loose files are copied into one new folder (removed again on failure). */
    async importDatasetPaths({ paths }) {
      const { folder, cleanup } = await datasetFolderFromPaths(paths, importsDir);
      try {
        return await view(folder);
      } catch (error) {
        await cleanup();
        throw error;
      }
    },

    startRun: ({ preset, overrides }) => start(() => prepareConfig(preset, overrides), (config) => config, [], (config, options) => runDistillation({ config, ...options })),

    /** The sweep on its own; a validation split of a tenth when the form has none. */
    startSweep: ({ preset, overrides }) =>
      start(() => prepareConfig(preset, overrides), (c) => ({ ...c, method: 'kd', sweep: true, validationSplit: c.validationSplit > 0 ? c.validationSplit : 0.1 }), [], (config, options) => runSweep({ config, ...options })),

    startStudy: ({ preset, overrides, methods, seeds }) => studyOf(() => prepareConfig(preset, overrides), methods, seeds),

    /** The run's own config names its data and teacher folder: a browser never sends the server's paths back. */
    async startStudyOfRun({ runId, seeds }) {
      const study = await studyOfRun(await storedRun(runId), `run ${runId}`);
      return { ...(await studyOf(async () => study.config, study.methods.join(','), seeds)), methods: study.methods };
    },

    /** Goes on with a failed or cancelled run from its checkpoints, as `distill resume` does. */
    async resumeRun({ runId }) {
      const release = slot.reserve();
      try {
        const run = await resumableRun(join(runsDir, runId));
        await datasetAt(run.config.dataset, run.config.imageSize);
        const backend = await activateBackend(run.config);
        return slot.launch(run.config, release, (_id, signal, onEvent) => resumeRun({ dir: run.dir, backend, signal, onEvent }), runId);
      } catch (error) {
        release();
        throw error;
      }
    },

    async cancelRun({ runId }) {
      return { cancelled: slot.cancel(runId) };
    },

    async listRuns() {
      return Promise.all((await listRuns(runsDir)).map(settle));
    },

    async getRun({ runId }) {
      // With its progress samples: the run's loss curve within epochs.
      const run = await storedRun(runId, true);
      // The commands only for a completed run (what Results shows): a followed run is read every 2 s.
      const summary = await settle(run);
      return { ...summary, metrics: run.metrics, commandLines: summary.status === 'completed' ? await commandLinesOfRun(run, { runsDir }) : null };
    },

    async runForm({ runId }) {
      return runFormOf(await storedRun(runId), { sources, view, ensureBackend });
    },

    async annotateRun({ runId, name, note }) {
      return writeRunNotes((await storedRun(runId)).dir, { name, note });
    },

    async deleteRun({ runId }) {
      if (slot.training(runId)) throw new DistillInputError(`run ${runId} is training: cancel it first`);
      const run = await storedRun(runId);
      if (await runIsLive(run.dir)) throw new DistillInputError(`run ${runId} is training in another process (a CLI run?): stop it first`);
      runModels.forget(runId);
      await rm(join(runsDir, runId), { recursive: true, force: true });
      return { deleted: true };
    },

    async softLabels({ runId, index, method }) {
      await ensureBackend();
      const run = await storedRun(runId);
      const labels = await runModels.softLabels(run, await datasetAt(run.config.dataset, run.config.imageSize), index, studyStudent(run, method));
      return { ...labels, pixels: base64(labels.pixels) };
    },

    async softLabelsOfImage({ runId, method, image, name, cropAt }) {
      await ensureBackend();
      const run = await storedRun(runId);
      const labels = await runModels.softLabelsOfImage(run, await datasetAt(run.config.dataset, run.config.imageSize), Buffer.from(image, 'base64'), { name, student: studyStudent(run, method), cropAt });
      return { ...labels, pixels: base64(labels.pixels) };
    },

    async mistakes({ runId, method }) {
      await ensureBackend();
      const run = await storedRun(runId);
      if (run.status.status !== 'completed') throw new DistillInputError(`run ${runId} is ${run.status.status}: its mistakes are shown once it completes`);
      studyStudent(run, method);
      const found = await runModels.mistakes(run, await datasetAt(run.config.dataset, run.config.imageSize), { student: method });
      return { ...found, groups: found.groups.map((group) => ({ ...group, samples: group.samples.map((sample) => ({ ...sample, pixels: base64(sample.pixels) })) })) };
    },

    exportModel: (request) => modelExports.exportModel(request),
    exportModelTo: (request) => modelExports.exportModelTo(request),
    cancelExport: (request) => modelExports.cancelExport(request),
    takeDownload: (id) => modelExports.takeDownload(id),

    async dispose() {
      slot.cancelAll();
      runModels.dispose();
      await modelExports.dispose();
    },
  };
}
