import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { RunIdSchema, UploadIdSchema } from '../contract/api';
import { DATASET_SOURCE_IDS } from '../contract/catalogue';
import { DistillInputError, findFamily, runTeacherOf, savedTeacherPath, teacherFolder, type TeacherInputDeclaration } from '../engine';
import { IMPORTED_MARK } from './dataset-import';

/**
 * Where the datasets and teachers a client names are. The desktop host takes paths on this
 * machine; over HTTP a dataset is a catalogue name or an upload (`upload:<id>`), a teacher a
 * model name, `run:<id>` or an upload — never a server path.
 */
export function sourceResolver(options: { host: 'electron' | 'server'; uploadsDir: string; runsDir: string }) {
  /** An upload of one archive (or .npz, or .parquet) is that file; an uploaded folder is that folder; loose files, their folder. */
  const uploadedPaths = async (dir: string): Promise<string[]> => {
    const entries = (
      await readdir(dir, { withFileTypes: true }).catch(() => {
        throw new DistillInputError('no such upload');
      })
    ).filter((entry) => entry.name !== IMPORTED_MARK);
    if (entries.length === 0) throw new DistillInputError('the upload is empty');
    if (entries.length === 1 && entries[0]!.isFile() && /\.(zip|tar\.gz|tgz|npz|parquet)$/i.test(entries[0]!.name)) return [join(dir, entries[0]!.name)];
    if (entries.length === 1 && entries[0]!.isDirectory()) return uploadedPaths(join(dir, entries[0]!.name));
    return [dir];
  };

  const datasetPath = async (spec: string): Promise<string> => {
    if (options.host === 'electron' || (DATASET_SOURCE_IDS as string[]).includes(spec)) return spec;
    const upload = /^upload:([a-f0-9]{16})$/.exec(spec);
    if (upload) return (await uploadedPaths(join(options.uploadsDir, upload[1]!)))[0]!;
    throw new DistillInputError(`dataset "${spec}": over HTTP a dataset is one of ${DATASET_SOURCE_IDS.join(', ')} or an upload (upload:<id>), not a path`);
  };

  /**
   * A model name stays a name, `run:<id>` is an earlier run's teacher with how that run declared
   * its input (a later run feeds it the same way), `upload:<id>` an uploaded file or folder.
   */
  const teacherSource = async (spec: string): Promise<{ path: string; declaration?: TeacherInputDeclaration; trainedHere?: boolean }> => {
    const teacherRun = spec.startsWith('run:') ? spec.slice(4) : null;
    if (teacherRun !== null && !RunIdSchema.safeParse(teacherRun).success) throw new DistillInputError(`no run ${teacherRun}`);
    if (teacherRun !== null) {
      const run = await runTeacherOf(join(options.runsDir, teacherRun));
      // A run folder without a readable config still names its teacher/, which the run then checks.
      return run ? { path: run.teacher, declaration: run.declaration, trainedHere: run.trainedHere } : { path: await savedTeacherPath(join(options.runsDir, teacherRun, 'teacher')) };
    }
    const teacherUpload = /^upload:([a-f0-9]{16})$/.exec(spec);
    if (teacherUpload) return { path: await teacherFolder(await uploadedPaths(join(options.uploadsDir, teacherUpload[1]!))) };
    if (options.host === 'server' && !findFamily(spec)) {
      throw new DistillInputError(`teacher "${spec}": over HTTP a teacher is a model name, run:<id> or an upload (upload:<id>), not a path`);
    }
    return { path: options.host === 'electron' ? await savedTeacherPath(spec) : spec };
  };
  const teacherPath = async (spec: string): Promise<string> => (await teacherSource(spec)).path;

  /** The first folder of `path` under `root` (an upload's or a run's id), or null when the path is not inside it. */
  const firstFolderUnder = (root: string, path: string): string | null => {
    const inside = relative(root, path);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
    return inside.split(sep)[0]!;
  };
  const exists = async (path: string) => (await stat(path).catch(() => null)) !== null;

  /**
   * The inverse of datasetPath, for a stored run's config: how a client of this host names that
   * dataset again (a catalogue name, the path in the desktop app, `upload:<id>` over HTTP), or null
   * when it cannot (a server path no upload holds, or gone).
   */
  const datasetSpecOf = async (path: string): Promise<string | null> => {
    if ((DATASET_SOURCE_IDS as string[]).includes(path)) return path;
    if (!(await exists(path))) return null;
    if (options.host === 'electron') return path;
    const upload = firstFolderUnder(options.uploadsDir, path);
    return upload && UploadIdSchema.safeParse(upload).success ? `upload:${upload}` : null;
  };

  /**
   * The inverse of teacherSource, for a stored run's config: a model the run trained (`trained`),
   * an earlier run's saved teacher (`run`: its id), a teacher someone brought (`own`: how a client
   * names it again), or `missing` (gone, or a server path no upload holds).
   */
  const teacherSpecOf = async (path: string): Promise<{ kind: 'trained' } | { kind: 'run'; runId: string } | { kind: 'own'; spec: string; path: string } | { kind: 'missing' }> => {
    if (findFamily(path)) return { kind: 'trained' };
    if (!(await exists(path))) return { kind: 'missing' };
    const runId = firstFolderUnder(options.runsDir, path);
    if (runId && RunIdSchema.safeParse(runId).success && (await runTeacherOf(path))) return { kind: 'run', runId };
    if (options.host === 'electron') return { kind: 'own', spec: path, path };
    const upload = firstFolderUnder(options.uploadsDir, path);
    return upload && UploadIdSchema.safeParse(upload).success ? { kind: 'own', spec: `upload:${upload}`, path } : { kind: 'missing' };
  };

  return { uploadedPaths, datasetPath, teacherPath, teacherSource, datasetSpecOf, teacherSpecOf };
}
