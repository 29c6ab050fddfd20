import * as tf from '@tensorflow/tfjs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiEvent, DatasetView, DistillService, RunSummary } from '../contract/api';
import { probeBackends, selectBackend } from '../engine/backend/select';
import { imageBatch } from '../engine/data/batches';
import { imageBytes, limitSplit, type ImageDataset } from '../engine/data/dataset';
import { summarizeDataset } from '../engine/data/inspect';
import { loadDataset } from '../engine/data/load';
import { DistillInputError, RunCancelledError } from '../engine/errors';
import { buildModel, MODEL_FAMILIES, modelSize } from '../engine/models/registry';
import { PRESETS, resolveConfig } from '../engine/presets';
import { downloadDataset } from '../engine/data/catalog';
import { DownloadError } from '../engine/data/download';
import { loadModelFolder } from '../engine/runs/model-io';
import { checkRunInputs, runDistillation } from '../engine/runs/pipeline';
import { parseStudyMethods, runStudy } from '../engine/runs/study';
import { getMethod } from '../engine/methods/registry';
import type { RunEvent } from '../contract/events';
import type { PresetName, RunConfig, RunConfigOverrides } from '../contract/run-config';
import { listRuns, newRunId, readRun, RunFolder, type StoredRun } from '../engine/runs/store';
import { datasetFolderFromPaths } from './dataset-import';

export interface ServiceOptions {
  /** Run folders, shared with the CLI's `--runs-dir`. */
  runsDir: string;
  /** Imported datasets and browser uploads. */
  workDir: string;
  host: 'electron' | 'server';
  version: string;
  onEvent: (event: ApiEvent) => void;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/** The app's operations over the engine; hosted by the Electron worker and by `distill serve`. */
export function createDistillService(options: ServiceOptions): DistillService & { uploadsDir: string; runsDir: string; dispose(): Promise<void> } {
  const runsDir = options.runsDir;
  const importsDir = join(options.workDir, 'datasets');
  const uploadsDir = join(options.workDir, 'uploads');
  const active = new Map<string, AbortController>();
  let datasetCache: { spec: string; dataset: ImageDataset } | null = null;
  let modelCache: { runId: string; models: Partial<Record<'teacher' | 'student' | 'baseline', tf.LayersModel>> } | null = null;

  // Light work (parameter counts, soft labels) needs a backend before any run has chosen one.
  const ensureBackend = async () => {
    if (!backendReady) await selectBackend('cpu');
    backendReady = true;
  };
  let backendReady = false;

  const dataset = async (spec: string) => {
    if (datasetCache?.spec !== spec) datasetCache = { spec, dataset: await loadDataset(spec) };
    return datasetCache.dataset;
  };

  const view = async (spec: string): Promise<DatasetView> => {
    const data = await dataset(spec);
    const summary = summarizeDataset(data);
    const perClass = summary.classes <= 10 ? 4 : 1;
    const size = imageBytes(data.shape);
    const taken = new Array<number>(summary.classes).fill(0);
    const samples: DatasetView['samples'] = [];
    for (let i = 0; i < data.test.count && samples.length < Math.min(100, perClass * summary.classes); i++) {
      const label = data.test.labels[i]!;
      if (taken[label]! >= perClass) continue;
      taken[label]! += 1;
      samples.push({ label, index: i, pixels: base64(data.test.images.subarray(i * size, (i + 1) * size)) });
    }
    samples.sort((a, b) => a.label - b.label || a.index - b.index);
    return { dataset: spec, ...summary, samples };
  };

  const storedRun = async (runId: string): Promise<StoredRun> => {
    const run = await readRun(join(runsDir, runId), runId);
    if (!run) throw new DistillInputError(`no run ${runId}`);
    return run;
  };

  const prepareConfig = async (preset: PresetName, overrides: RunConfigOverrides) => {
    if (active.size > 0) throw new DistillInputError('a run is already training: cancel it or wait for it to finish');
    // `run:<id>` names the teacher saved by an earlier run of this app.
    const teacherRun = overrides.teacher?.startsWith('run:') ? overrides.teacher.slice(4) : null;
    if (teacherRun !== null && !/^[\w.-]{1,80}$/.test(teacherRun)) throw new DistillInputError(`no run ${teacherRun}`);
    return resolveConfig(preset, teacherRun === null ? overrides : { ...overrides, teacher: join(runsDir, teacherRun, 'teacher') });
  };

  /** Starts training in the background; events stream out, and a run-ended event closes it. */
  const launch = (config: RunConfig, train: (runId: string, signal: AbortSignal, onEvent: (event: RunEvent) => void) => Promise<unknown>) => {
    const runId = newRunId();
    const controller = new AbortController();
    active.set(runId, controller);
    backendReady = true;
    datasetCache = null; // the run loads its own copy; don't hold two
    void train(runId, controller.signal, (event) => options.onEvent({ type: 'run-event', runId, event }))
      .then(() => options.onEvent({ type: 'run-ended', runId, status: 'completed' }))
      .catch((error: Error) =>
        options.onEvent({ type: 'run-ended', runId, status: error instanceof RunCancelledError ? 'cancelled' : 'failed', error: error.message }),
      )
      .finally(() => active.delete(runId));
    return { runId, config };
  };

  /** An upload of one archive is that archive; an uploaded folder is that folder; loose files, their folder. */
  const uploadedPaths = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
      throw new DistillInputError('no such upload');
    });
    if (entries.length === 1 && entries[0]!.isFile() && /\.(zip|tar\.gz|tgz)$/i.test(entries[0]!.name)) return [join(dir, entries[0]!.name)];
    if (entries.length === 1 && entries[0]!.isDirectory()) return uploadedPaths(join(dir, entries[0]!.name));
    return [dir];
  };

  /** A run left `running` by a crash or a closed app is marked failed when next seen. */
  const settle = async (run: StoredRun): Promise<RunSummary> => {
    if (run.status.status === 'running' && !active.has(run.id)) {
      const error = 'interrupted: the training process ended before the run finished';
      await new RunFolder(run.id, run.dir).setStatus('failed', error);
      return { runId: run.id, status: 'failed', error, updatedAt: new Date().toISOString(), config: run.config, result: null, study: null };
    }
    return { runId: run.id, status: run.status.status, error: run.status.error, updatedAt: run.status.updatedAt, config: run.config, result: run.result, study: run.study };
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
      return { version: options.version, host: options.host, backends, runsDir };
    },

    async listModels({ shape, classes }) {
      await ensureBackend();
      return MODEL_FAMILIES.flatMap((family) =>
        family.examples.map((name) => {
          const model = buildModel(name, { inputShape: shape, classes, seed: 1, dropout: 0 });
          const size = modelSize(model);
          model.dispose();
          return { name, family: family.id, description: family.description, ...size };
        }),
      );
    },

    inspectDataset: ({ dataset: spec }) => view(spec),

    async downloadDataset({ name }) {
      try {
        await downloadDataset(name, { onProgress: (p) => options.onEvent({ type: 'download-progress', name, ...p }) });
      } catch (error) {
        // A failed download is the person's to retry: say what happened, keep the app going.
        if (error instanceof DownloadError) throw new DistillInputError(error.message);
        throw error;
      }
      return view(name);
    },

    listPresets: async () => PRESETS,

    async importDataset({ source }) {
      const paths = source.kind === 'paths' ? source.paths : await uploadedPaths(join(uploadsDir, source.uploadId));
      const { folder, cleanup } = await datasetFolderFromPaths(paths, importsDir);
      try {
        return await view(folder);
      } catch (error) {
        await cleanup();
        throw error;
      }
    },

    async startRun({ preset, overrides }) {
      const config = await prepareConfig(preset, overrides);
      await checkRunInputs(config, await dataset(config.dataset));
      return launch(config, (runId, signal, onEvent) => runDistillation({ config, runsRoot: runsDir, runId, signal, onEvent }));
    },

    async startStudy({ preset, overrides, methods }) {
      const config = await prepareConfig(preset, overrides);
      const entries = parseStudyMethods(methods);
      await checkRunInputs(config, await dataset(config.dataset), entries.map((entry) => getMethod(entry.method)));
      return launch(config, (runId, signal, onEvent) => runStudy({ config, methods: entries, runsRoot: runsDir, runId, signal, onEvent }));
    },

    async cancelRun({ runId }) {
      const controller = active.get(runId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    async listRuns() {
      return Promise.all((await listRuns(runsDir)).map(settle));
    },

    async getRun({ runId }) {
      const run = await storedRun(runId);
      return { ...(await settle(run)), metrics: run.metrics };
    },

    async deleteRun({ runId }) {
      if (active.has(runId)) throw new DistillInputError(`run ${runId} is training: cancel it first`);
      await storedRun(runId);
      if (modelCache?.runId === runId) disposeModels();
      await rm(join(runsDir, runId), { recursive: true, force: true });
      return { deleted: true };
    },

    async softLabels({ runId, index }) {
      await ensureBackend();
      const run = await storedRun(runId);
      const data = await dataset(run.config.dataset);
      const test = limitSplit(data.test, run.config.limitTest, data.shape);
      if (index >= test.count) throw new DistillInputError(`test image ${index} does not exist (the run has ${test.count})`);
      if (modelCache?.runId !== runId) {
        disposeModels();
        const models: NonNullable<typeof modelCache>['models'] = {};
        for (const role of ['teacher', 'student', 'baseline'] as const) {
          const loaded = await loadModelFolder(join(run.dir, role)).catch(() => null);
          if (loaded) models[role] = loaded.model;
        }
        modelCache = { runId, models };
      }
      const size = imageBytes(data.shape);
      const pixels = test.images.subarray(index * size, (index + 1) * size);
      // The same preprocessing as training (pixels / 255, then the dataset's normalisation).
      const { x, labels } = imageBatch(test, data.shape, [index], 0, 1);
      labels.dispose();
      // Asynchronous reads only: WebGPU cannot read synchronously under Node.
      const logitsOf = async (model: tf.LayersModel | undefined) => {
        if (!model) return null;
        const y = model.predict(x) as tf.Tensor;
        const values = Array.from(await y.data());
        y.dispose();
        return values;
      };
      const { teacher, student, baseline } = modelCache.models;
      const logits = { teacher: await logitsOf(teacher), student: await logitsOf(student), baseline: await logitsOf(baseline) };
      x.dispose();
      return { index, label: test.labels[index]!, pixels: base64(pixels), shape: data.shape, classNames: data.classNames, logits };
    },

    async exportModel({ runId, role, destination }) {
      const run = await storedRun(runId);
      if (!destination) throw new DistillInputError('exportModel needs a destination folder');
      const { cp } = await import('node:fs/promises');
      await cp(join(run.dir, role), destination, { recursive: true }).catch((error: Error) => {
        throw new DistillInputError(`run ${runId} has no ${role} model to export (${error.message})`);
      });
      return { savedTo: destination };
    },

    async dispose() {
      for (const controller of active.values()) controller.abort();
      disposeModels();
    },
  };

  function disposeModels() {
    for (const model of Object.values(modelCache?.models ?? {})) model.dispose();
    modelCache = null;
  }
}
