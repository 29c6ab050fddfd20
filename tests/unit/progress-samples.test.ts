import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunEvent, TrainerProgressEvent } from '../../electron/contract/events';
import { progressSampler, STORED_PROGRESS_PER_EPOCH } from '../../electron/engine/runs/progress-samples';
import { keptThroughCheckpoints } from '../../electron/engine/runs/resume';
import { readRun, RunFolder } from '../../electron/engine/runs/store';
import { applyRunEvent, runViewFromDetail } from '../../renderer/src/lib/run-view';
import { tempDir } from '../helpers/fixtures';

const progress = (phase: TrainerProgressEvent['phase'], epoch: number, step: number, steps: number, method?: string): TrainerProgressEvent => ({
  type: 'progress', phase, epoch, epochs: 3, step, steps, loss: 1 / (epoch + step / steps), accuracy: 0.5, imgPerSec: 100, etaSec: 1, lr: 0.01, ...(method ? { method } : {}),
});
const epochLine = (phase: TrainerProgressEvent['phase'], epoch: number, method?: string): RunEvent => ({
  type: 'epoch', phase, epoch, epochs: 3, trainLoss: 1 / epoch, trainAccuracy: 0.5, testAccuracy: 0.5, testLoss: 1, seconds: 1, ...(method ? { method } : {}),
});

/** Every event the sampler passed on, with whether it asked for it to be stored. */
function sample(events: TrainerProgressEvent[], perEpoch?: number): Array<[TrainerProgressEvent, boolean]> {
  const seen: Array<[TrainerProgressEvent, boolean]> = [];
  const onProgress = progressSampler(async (event, persist) => void seen.push([event as TrainerProgressEvent, persist]), perEpoch);
  for (const event of events) onProgress(event);
  return seen;
}

describe("a run's loss within epochs, stored for when it is reopened", () => {
  it('passes every progress event on and stores the first of each eighth of an epoch, never its last step', () => {
    const every = [1, 2, 3].flatMap((epoch) => Array.from({ length: 100 }, (_, i) => progress('student', epoch, i + 1, 100)));
    const seen = sample(every);
    assert.equal(seen.length, every.length, 'the live view gets them all');
    const stored = seen.filter(([, keep]) => keep).map(([event]) => `${event.epoch}:${event.step}`);
    // Steps 1, 13, 25, … 88: where step/steps first reaches each eighth.
    const firsts = [1, 13, 25, 38, 50, 63, 75, 88];
    assert.deepEqual(stored, [1, 2, 3].flatMap((epoch) => firsts.map((step) => `${epoch}:${step}`)));
    assert.equal(firsts.length, STORED_PROGRESS_PER_EPOCH);
  });

  it('stores the first report of every epoch however sparse the reports are', () => {
    // A fast run reports a step or two per epoch (every 250 ms): each epoch still keeps its first.
    const sparse = [progress('teacher', 1, 1, 27), progress('teacher', 1, 27, 27), progress('teacher', 2, 1, 27), progress('teacher', 2, 20, 27), progress('teacher', 2, 27, 27)];
    assert.deepEqual(sample(sparse).map(([event, keep]) => `${event.epoch}:${event.step}:${keep}`), ['1:1:true', '1:27:false', '2:1:true', '2:20:true', '2:27:false']);
  });

  it('a resume keeps the lines of checkpointed epochs and drops those of the epoch it trains again', () => {
    const keep = keptThroughCheckpoints(new Map([['teacher', 3], ['student', 2], ['dist', 0]]));
    const kept = (event: RunEvent) => keep(event);
    assert.ok(kept(progress('teacher', 3, 5, 10)) && kept(epochLine('teacher', 3)));
    assert.ok(kept(progress('student', 2, 5, 10)) && kept(epochLine('student', 2)));
    assert.ok(!kept(progress('student', 3, 1, 10)), "the student's third epoch is trained again");
    assert.ok(!kept(progress('student', 1, 1, 10, 'dist')), 'DIST checkpointed no epoch');
    assert.ok(!kept(progress('baseline', 1, 1, 10)), 'a lane with no checkpoint keeps no progress');
    assert.ok(kept({ type: 'phase', phase: 'student', status: 'start', model: 'mlp-30x2' }));
  });

  it('lines appended without waiting land in the order they were sent, and only a detail reads the progress back', async () => {
    const dir = await tempDir('progress-');
    const folder = await RunFolder.create(dir, 'r', presetConfig('quick'));
    const sent: RunEvent[] = [];
    for (let epoch = 1; epoch <= 3; epoch++) {
      for (let step = 1; step < 50; step += 7) sent.push(progress('student', epoch, step, 50));
      sent.push(epochLine('student', epoch));
    }
    // Not awaited one by one, as the trainer's progress callback does not wait for its write.
    await Promise.all(sent.map((event) => folder.appendMetric(event)));
    await folder.unlock();
    const lines = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).split('\n').filter(Boolean);
    assert.deepEqual(lines, sent.map((event) => JSON.stringify(event)));
    assert.deepEqual((await folder.readMetrics()).map((e) => e.type), ['epoch', 'epoch', 'epoch'], 'choices read back epochs, not samples');
    const listed = await readRun(dir, 'r');
    assert.equal(listed!.metrics.length, 3, 'a listing reads no progress lines');
    const detail = await readRun(dir, 'r', { withProgress: true });
    assert.equal(detail!.metrics.length, sent.length);
    // Reopened, the loss curve has the samples within epochs, and no lane says it stands at its last sample.
    const view = runViewFromDetail({ runId: 'r', kind: 'run', status: 'cancelled', updatedAt: '', config: presetConfig('quick'), teacherLoaded: false, result: null, study: null, metrics: detail!.metrics });
    assert.equal(view.loss.filter((p) => p.lane === 'student').length, sent.length);
    assert.ok(view.lanes.every((l) => l.latest === null));
  });

  it('a lane that trains an epoch again after a resume drops the points of the try cut short', () => {
    // Read back before the resume trimmed them: epoch 2 was cut at step 30 of 50.
    const stored: RunEvent[] = [progress('student', 1, 1, 50), epochLine('student', 1), progress('student', 2, 1, 50), progress('student', 2, 30, 50)];
    const view = runViewFromDetail({ runId: 'r', kind: 'run', status: 'running', updatedAt: '', config: presetConfig('quick'), teacherLoaded: false, result: null, study: null, metrics: stored });
    applyRunEvent(view, progress('baseline', 1, 40, 50));
    applyRunEvent(view, progress('student', 2, 1, 50));
    applyRunEvent(view, progress('student', 2, 10, 50));
    const xs = view.loss.filter((p) => p.lane === 'student').map((p) => p.x);
    assert.deepEqual(xs, [0.02, 1, 1.02, 1.2]);
    assert.deepEqual(view.loss.filter((p) => p.lane === 'baseline').map((p) => p.x), [0.8], 'other lanes keep theirs');
  });
});
