import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiEvent, ExportProgress, ExportRequest, ExportResult, ModelRole } from '../contract/api';
import { exportName, exportSubject } from '../contract/display';
import { DistillInputError, exportRunModel, RunCancelledError } from '../engine';
import { zipFolder } from './zip-folder';

export interface ModelExportsOptions {
  /** Browser exports are written here, then offered once as a download. */
  exportsDir: string;
  version: string;
  onEvent: (event: ApiEvent) => void;
  /** A run's folder, checked to exist. */
  runDir: (runId: string) => Promise<string>;
  ensureBackend: () => Promise<void>;
}

type Request = Required<Omit<ExportRequest, 'method'>> & Pick<ExportRequest, 'method'>;

/**
 * The service's exports: one at a time per run and model, each reporting its stages as
 * export-progress events and cancellable (what it wrote is removed, nothing saved before is touched).
 */
export function createModelExports(options: ModelExportsOptions) {
  const downloads = new Map<string, { path: string; fileName: string }>();
  const exporting = new Map<string, AbortController>();
  const key = (runId: string, role: ModelRole, method?: string) => `${runId}/${role}${method ? `/${method}` : ''}`;

  /** Runs `work` as the one export of this run's model, with its signal and progress events. */
  async function tracked<T>(request: Request, work: (signal: AbortSignal, onProgress: (progress: ExportProgress) => void) => Promise<T>): Promise<T> {
    const { runId, role, method } = request;
    const id = key(runId, role, method);
    if (exporting.has(id)) throw new DistillInputError(`the ${exportSubject(request)} of run ${runId} is being exported already`);
    const controller = new AbortController();
    exporting.set(id, controller);
    try {
      return await work(controller.signal, (progress) => options.onEvent({ type: 'export-progress', runId, role, ...(method ? { method } : {}), ...progress }));
    } catch (error) {
      if (error instanceof RunCancelledError || controller.signal.aborted) throw new DistillInputError(`export of the ${exportSubject(request)} cancelled: nothing was written`);
      throw error;
    } finally {
      exporting.delete(id);
    }
  }

  const write = async (request: Request, destination: string, signal: AbortSignal, onProgress: (progress: ExportProgress) => void) => {
    const runDir = await options.runDir(request.runId);
    await options.ensureBackend();
    await exportRunModel({ runDir, role: request.role, ...(request.method ? { method: request.method } : {}), format: request.format, destination, version: options.version, measure: true, signal, onProgress });
  };

  return {
    /** Over HTTP: the export is written under the work folder, zipped, and offered once as a download. */
    exportModel(request: Request): Promise<ExportResult> {
      return tracked(request, async (signal, onProgress) => {
        const id = randomBytes(8).toString('hex');
        const dir = join(options.exportsDir, id);
        const name = exportName(request);
        await mkdir(dir, { recursive: true });
        try {
          await write(request, join(dir, name), signal, onProgress);
          onProgress({ stage: 'packaging', done: 0, total: 1 });
          const zip = join(dir, `${name}.zip`);
          await writeFile(zip, await zipFolder(join(dir, name)));
          if (signal.aborted) throw new RunCancelledError('export');
          onProgress({ stage: 'packaging', done: 1, total: 1 });
          downloads.set(id, { path: zip, fileName: `${name}.zip` });
          return { fileName: `${name}.zip`, savedTo: null, downloadUrl: `/api/download/${id}` };
        } catch (error) {
          await rm(dir, { recursive: true, force: true });
          throw error;
        }
      });
    },

    /** Desktop host: main chose `destination` with a save dialog. */
    exportModelTo(request: Request & { destination: string }): Promise<ExportResult> {
      return tracked(request, async (signal, onProgress) => {
        await write(request, request.destination, signal, onProgress);
        return { fileName: exportName(request), savedTo: request.destination, downloadUrl: null };
      });
    },

    async cancelExport({ runId, role, method }: { runId: string; role: ModelRole; method?: string }) {
      const controller = exporting.get(key(runId, role, method));
      controller?.abort();
      return { cancelled: controller !== undefined };
    },

    takeDownload(id: string) {
      const download = downloads.get(id) ?? null;
      downloads.delete(id);
      return download;
    },

    async dispose() {
      for (const controller of exporting.values()) controller.abort();
      await rm(options.exportsDir, { recursive: true, force: true });
    },
  };
}
