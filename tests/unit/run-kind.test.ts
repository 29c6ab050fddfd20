import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunDetail } from '../../electron/contract/api';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunEvent } from '../../electron/contract/events';
import { readRun, STUDY_PLAN } from '../../electron/engine/runs/store';
import { runViewFromDetail } from '../../renderer/src/lib/run-view';

/** A cancelled run folder, with a study's plan or without. */
async function cancelledFolder(plan: boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'run-kind-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(presetConfig('auto')));
  await writeFile(join(dir, 'status.json'), JSON.stringify({ status: 'cancelled', updatedAt: new Date().toISOString() }));
  if (plan) await writeFile(join(dir, STUDY_PLAN), JSON.stringify({ methods: 'kd,baseline', seeds: 1 }));
  return dir;
}

describe('a run or a study, finished or not', () => {
  it('the store tells a study by its plan, even before its table exists', async () => {
    assert.equal((await readRun(await cancelledFolder(true), 's'))?.kind, 'study');
    assert.equal((await readRun(await cancelledFolder(false), 'r'))?.kind, 'run');
  });

  it("reopened, a run whose DIST lane has a method of its own stays a run", () => {
    const dist: RunEvent = { type: 'phase', phase: 'student', status: 'done', model: 'mlp-30x2', method: 'dist' };
    const detail = (kind: RunDetail['kind']): RunDetail => ({ runId: 'x', kind, status: 'completed', updatedAt: '', config: presetConfig('auto'), teacherLoaded: false, result: null, study: null, metrics: [dist] });
    assert.equal(runViewFromDetail(detail('run')).kind, 'run');
    assert.equal(runViewFromDetail(detail('study')).kind, 'study');
  });

  it('reopened, a completed sweep alone shows its teacher and sweep lanes, not the students its config names; a stopped run keeps them for its resume', () => {
    const config = { ...presetConfig('auto'), sweep: true };
    const metrics: RunEvent[] = [
      { type: 'phase', phase: 'teacher', status: 'done', model: 'mlp-800x2' },
      { type: 'phase', phase: 'student', status: 'done', model: 'mlp-30x2', method: 'sweep' },
    ];
    const lanes = (status: RunDetail['status']) => runViewFromDetail({ runId: 'x', kind: 'run', status, updatedAt: '', config, teacherLoaded: false, result: null, study: null, metrics }).lanes.map((l) => l.key);
    assert.deepEqual(lanes('completed'), ['teacher', 'sweep']);
    assert.deepEqual(lanes('cancelled'), ['teacher', 'sweep', 'student', 'dist', 'baseline']);
  });
});
