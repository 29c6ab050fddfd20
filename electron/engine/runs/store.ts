import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { DistillInputError, StorageError } from '../errors';
import { z } from 'zod';
import { RunEventSchema, RunResultSchema, RunStatusSchema, StudyResultSchema, type RunEvent, type RunResult, type RunStatus, type StudyResult } from '../../contract/events';
import { RunConfigSchema, type RunConfig } from '../../contract/run-config';
import { RunNotesSchema, type RunNotes } from '../../contract/api';

/** A study's entries and seeds, written when it starts, for a resume (runs/study.ts). */
export const STUDY_PLAN = 'study-plan.json';

export const StatusFileSchema = z.object({
  status: RunStatusSchema,
  error: z.string().optional(),
  updatedAt: z.string(),
});
export type StatusFile = z.infer<typeof StatusFileSchema>;

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  // A temporary name of its own: two writers of one file (two windows saving a run's notes) never share one.
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, JSON.stringify(value, null, 2) + '\n');
  await rename(temporary, path);
}

/** Who trains a run right now: lock.json, whose modification time is a heartbeat. */
const LockSchema = z.object({ pid: z.number().int(), host: z.string(), startedAt: z.string() });
const HEARTBEAT_MS = 5_000;
/** Another machine's run (a shared folder) counts as dead once its heartbeat is this old. */
const STALE_MS = 60_000;

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Is a run being trained by a live process, this one or another (a CLI run beside the app)?
 * On this machine the process id answers; for another machine, the heartbeat's age.
 */
export async function runIsLive(dir: string): Promise<boolean> {
  const path = join(dir, 'lock.json');
  const [text, info] = await Promise.all([readFile(path, 'utf8').catch(() => null), stat(path).catch(() => null)]);
  if (text === null || !info) return false;
  let lock: z.infer<typeof LockSchema>;
  try {
    lock = LockSchema.parse(JSON.parse(text));
  } catch {
    return false;
  }
  if (lock.host === hostname()) return processAlive(lock.pid);
  return Date.now() - info.mtimeMs < STALE_MS;
}

/** A run its status calls `running` though no live process trains it: a crash, `kill -9`, a closed app. */
export async function runInterrupted(run: Pick<StoredRun, 'status' | 'dir'>): Promise<boolean> {
  return run.status.status === 'running' && !(await runIsLive(run.dir));
}

/**
 * mkdir -p that reports why: a recursive mkdir on a read-only file system says ENOENT, so the
 * first missing folder is made alone, which gives the real reason (EROFS, EACCES).
 */
async function mkdirExplained(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    let missing = dir;
    while (!(await stat(dirname(missing)).catch(() => null)) && dirname(missing) !== missing) missing = dirname(missing);
    await mkdir(missing);
    throw error;
  }
}

/** A write that failed for want of space or permission, as one clear line. */
export function storageError(error: unknown, what: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = { ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the file system is read-only', ENOTDIR: 'a part of the path is a file, not a folder', EEXIST: 'a file of that name is in the way' };
  return code && reasons[code] ? new StorageError(`cannot write ${what}: ${reasons[code]} (${code})`) : (error as Error);
}

/**
 * One run's folder: config.json, status.json, metrics.jsonl, result.json (only when
 * completed), notes.json (a name and notes someone gave it), and teacher/, student/, baseline/
 * models. status.json says running until the run ends, then completed, failed or cancelled: a
 * folder never looks complete by accident.
 */
/**
 * Puts the model folder `winner` in `kept`'s place and moves the one there to `aside` (the race's
 * loser, a restart not kept). Idempotent, so that a resume after any step of it ends the same way.
 */
export async function swapModelFolder(kept: string, aside: string, winner: string): Promise<void> {
  if (!existsSync(aside)) await rename(kept, aside);
  if (existsSync(winner)) {
    await rm(kept, { recursive: true, force: true });
    await rename(winner, kept);
  }
}

export class RunFolder {
  constructor(
    readonly id: string,
    readonly dir: string,
  ) {}

  private heartbeat: NodeJS.Timeout | null = null;
  /** Appends in call order: a progress line written without waiting must not land after the epoch line that follows it. */
  private appending: Promise<void> = Promise.resolve();

  static async create(dir: string, id: string, config: RunConfig): Promise<RunFolder> {
    try {
      await mkdirExplained(dir);
    } catch (error) {
      // Where the run goes is the person's choice: a folder that cannot be written is bad input.
      const failed = storageError(error, `the run folder ${dir}`);
      throw failed instanceof StorageError ? new DistillInputError(failed.message) : failed;
    }
    const folder = new RunFolder(id, dir);
    try {
      await writeJsonAtomic(join(dir, 'config.json'), config);
      await writeFile(join(dir, 'metrics.jsonl'), '');
      // The lock first: a process that lists runs (the app beside a CLI run) and reads `running`
      // must find who trains it, or it marks the run interrupted.
      await folder.lock();
      await folder.setStatus('running');
    } catch (error) {
      const failed = storageError(error, `the run folder ${dir}`);
      throw failed instanceof StorageError ? new DistillInputError(failed.message) : failed;
    }
    return folder;
  }

  /** A choice the run made for itself (the sweep's T and α) goes into config.json, so the model card and a resume see it. */
  async updateConfig(config: RunConfig): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'config.json'), config);
  }

  /** Claims the folder for this process and keeps its heartbeat going until `unlock`. */
  async lock(): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'lock.json'), { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() });
    this.heartbeat = setInterval(() => {
      const now = new Date();
      void utimes(join(this.dir, 'lock.json'), now, now).catch(() => {});
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  async unlock(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await rm(join(this.dir, 'lock.json'), { force: true });
  }

  /** student-kd and student-dist: the two entrants of `--try-dist`, the loser kept under its method's name; `student-seed3`: a restart not kept; `teacher-seed2`: a member of an ensemble. */
  modelDir(role: 'teacher' | 'student' | 'baseline' | 'student-kd' | 'student-dist' | `${'teacher' | 'student' | 'baseline'}-seed${number}`): string {
    return join(this.dir, role);
  }

  /** An existing folder, to resume: running again, locked by this process. */
  static async open(dir: string, id: string): Promise<RunFolder> {
    return new RunFolder(id, dir);
  }

  async reopen(): Promise<void> {
    await this.lock();
    await this.setStatus('running');
  }

  /** How many times this folder's run has been resumed (its `started` lines, less the first). */
  async resumeCount(): Promise<number> {
    const text = await readFile(join(this.dir, 'metrics.jsonl'), 'utf8').catch(() => '');
    return Math.max(0, text.split('\n').filter((line) => line.startsWith('{"type":"started"')).length - 1);
  }

  /** The events written so far, less the progress samples (a torn or unreadable line is skipped). */
  async readMetrics(): Promise<RunEvent[]> {
    return parseMetrics(await readFile(join(this.dir, 'metrics.jsonl'), 'utf8').catch(() => ''), false);
  }

  /**
   * Before a resume: drops torn lines, and epoch lines past what the checkpoints hold (an epoch
   * whose line was written but whose checkpoint was not, redone after the resume).
   */
  async trimMetrics(keep: (event: RunEvent) => boolean): Promise<void> {
    const path = join(this.dir, 'metrics.jsonl');
    const lines = (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const kept = lines.filter((line) => {
      try {
        const parsed = RunEventSchema.safeParse(JSON.parse(line));
        return parsed.success && keep(parsed.data);
      } catch {
        return false;
      }
    });
    await writeFile(`${path}.tmp`, kept.map((line) => line + '\n').join(''));
    await rename(`${path}.tmp`, path);
  }

  appendMetric(event: RunEvent): Promise<void> {
    const line = JSON.stringify(event) + '\n';
    const appended = this.appending.then(() => appendFile(join(this.dir, 'metrics.jsonl'), line));
    this.appending = appended.catch(() => {});
    return appended;
  }

  async setStatus(status: RunStatus, error?: string): Promise<void> {
    const file: StatusFile = { status, updatedAt: new Date().toISOString(), ...(error ? { error } : {}) };
    await writeJsonAtomic(join(this.dir, 'status.json'), file);
  }

  async complete(result: RunResult): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'result.json'), result);
    await this.setStatus('completed');
  }
}

export interface StoredRun {
  id: string;
  dir: string;
  /** A study writes its plan when it starts: so even one that did not finish is a study. */
  kind: 'run' | 'study';
  status: StatusFile;
  config: RunConfig;
  result: RunResult | null;
  /** Set for a completed study (study.json) instead of result. */
  study: StudyResult | null;
  metrics: RunEvent[];
  /** A person's name and notes for it (notes.json), or null. */
  notes: RunNotes | null;
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/**
 * Reads a run folder; null when it is not one (or is unreadable). Its stored progress lines (the
 * loss sampled within epochs) are read only `withProgress`: a listing needs none of them.
 */
/** A run folder's configuration alone (older files migrated), or null when it has none readable. */
export async function readRunConfig(dir: string): Promise<RunConfig | null> {
  const parsed = RunConfigSchema.safeParse(await readJson(join(dir, 'config.json')).catch(() => null));
  return parsed.success ? parsed.data : null;
}

export async function readRun(dir: string, id: string, { withProgress = false } = {}): Promise<StoredRun | null> {
  try {
    const config = RunConfigSchema.parse(await readJson(join(dir, 'config.json')));
    const status = StatusFileSchema.parse(await readJson(join(dir, 'status.json')));
    const completed = status.status === 'completed';
    const isStudy = existsSync(join(dir, 'study.json'));
    const result = completed && !isStudy ? RunResultSchema.parse(await readJson(join(dir, 'result.json'))) : null;
    const study = completed && isStudy ? StudyResultSchema.parse(await readJson(join(dir, 'study.json'))) : null;
    const metrics = parseMetrics(await readFile(join(dir, 'metrics.jsonl'), 'utf8').catch(() => ''), withProgress);
    const kind = isStudy || existsSync(join(dir, STUDY_PLAN)) ? 'study' : 'run';
    return { id, dir, kind, status, config, result, study, metrics, notes: await readRunNotes(dir) };
  } catch {
    return null;
  }
}

const NOTES_FILE = 'notes.json';

/** A run's name and notes; null where it has none, or none readable (they never hide the run itself). */
export async function readRunNotes(dir: string): Promise<RunNotes | null> {
  const parsed = RunNotesSchema.safeParse(await readJson(join(dir, NOTES_FILE)).catch(() => null));
  return parsed.success ? parsed.data : null;
}

/** Keeps a run's name and notes, trimmed, beside its other files; both empty forgets them. What was kept comes back. */
export async function writeRunNotes(dir: string, notes: RunNotes): Promise<RunNotes> {
  const kept = RunNotesSchema.parse({ name: notes.name.trim(), note: notes.note.trim() });
  if (!kept.name && !kept.note) await rm(join(dir, NOTES_FILE), { force: true });
  else await writeJsonAtomic(join(dir, NOTES_FILE), kept).catch((error: unknown) => {
    throw storageError(error, `the run's notes in ${dir}`);
  });
  return kept;
}

const PROGRESS_LINE = '{"type":"progress"';

/** metrics.jsonl's events; a line cut short by a crash (or anything unreadable) is skipped, the rest still shows. */
function parseMetrics(text: string, withProgress = true): RunEvent[] {
  return text.split('\n').filter((line) => line && (withProgress || !line.startsWith(PROGRESS_LINE))).flatMap((line) => {
    try {
      const parsed = RunEventSchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Refuses a runs folder that is a file, before a command lists or serves it (one not made yet is
 * fine: the first run makes it). The message names the path: for the CLI and the host's own start.
 */
export async function checkRunsFolder(root: string): Promise<void> {
  const info = await stat(root).catch(() => null);
  if (info && !info.isDirectory()) throw new DistillInputError(`${root}: not a folder (the runs folder holds one folder per run)`);
}

/** Runs under a root folder, newest first; none where there is no such folder. */
export async function listRuns(root: string): Promise<StoredRun[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const runs = await Promise.all(names.map((name) => readRun(join(root, name), name)));
  return runs.filter((run): run is StoredRun => run !== null).sort((a, b) => b.id.localeCompare(a.id));
}
