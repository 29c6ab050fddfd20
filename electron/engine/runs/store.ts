import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { RunEventSchema, RunResultSchema, RunStatusSchema, StudyResultSchema, type RunEvent, type RunResult, type RunStatus, type StudyResult } from '../../contract/events';
import { RunConfigSchema, type RunConfig } from '../../contract/run-config';

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
  await writeFile(`${path}.tmp`, JSON.stringify(value, null, 2) + '\n');
  await rename(`${path}.tmp`, path);
}

/**
 * One run's folder: config.json, status.json, metrics.jsonl, result.json (only when
 * completed), and teacher/, student/, baseline/ models. status.json says running until the
 * run ends, then completed, failed or cancelled: a folder never looks complete by accident.
 */
export class RunFolder {
  constructor(
    readonly id: string,
    readonly dir: string,
  ) {}

  static async create(dir: string, id: string, config: RunConfig): Promise<RunFolder> {
    await mkdir(dir, { recursive: true });
    const folder = new RunFolder(id, dir);
    await writeJsonAtomic(join(dir, 'config.json'), config);
    await writeFile(join(dir, 'metrics.jsonl'), '');
    await folder.setStatus('running');
    return folder;
  }

  modelDir(role: 'teacher' | 'student' | 'baseline'): string {
    return join(this.dir, role);
  }

  async appendMetric(event: RunEvent): Promise<void> {
    await appendFile(join(this.dir, 'metrics.jsonl'), JSON.stringify(event) + '\n');
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
  status: StatusFile;
  config: RunConfig;
  result: RunResult | null;
  /** Set for a completed study (study.json) instead of result. */
  study: StudyResult | null;
  metrics: RunEvent[];
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, 'utf8'));
}

/** Reads a run folder; null when it is not one (or is unreadable). */
export async function readRun(dir: string, id: string): Promise<StoredRun | null> {
  try {
    const config = RunConfigSchema.parse(await readJson(join(dir, 'config.json')));
    const status = StatusFileSchema.parse(await readJson(join(dir, 'status.json')));
    const completed = status.status === 'completed';
    const isStudy = existsSync(join(dir, 'study.json'));
    const result = completed && !isStudy ? RunResultSchema.parse(await readJson(join(dir, 'result.json'))) : null;
    const study = completed && isStudy ? StudyResultSchema.parse(await readJson(join(dir, 'study.json'))) : null;
    const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const metrics = lines.flatMap((line) => {
      const parsed = RunEventSchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    });
    return { id, dir, status, config, result, study, metrics };
  } catch {
    return null;
  }
}

/** Runs under a root folder, newest first. */
export async function listRuns(root: string): Promise<StoredRun[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const runs = await Promise.all(names.map((name) => readRun(join(root, name), name)));
  return runs.filter((run): run is StoredRun => run !== null).sort((a, b) => b.id.localeCompare(a.id));
}
