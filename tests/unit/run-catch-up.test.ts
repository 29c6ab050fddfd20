import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunDetail } from '../../electron/contract/api';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunEvent, TrainerProgressEvent } from '../../electron/contract/events';
import { caughtUpView } from '../../renderer/src/lib/run-catch-up';
import { applyRunEvent, emptyRunView } from '../../renderer/src/lib/run-view';

const STEPS = 16;
const progress = (phase: TrainerProgressEvent['phase'], epoch: number, step: number, method?: string): TrainerProgressEvent => ({
  type: 'progress', phase, epoch, epochs: 2, step, steps: STEPS, loss: 2 / (epoch + step / STEPS), accuracy: 0.5, imgPerSec: 100, etaSec: 1, lr: 0.01, ...(method ? { method } : {}),
});
const epochLine = (phase: TrainerProgressEvent['phase'], epoch: number, method?: string): RunEvent => ({
  type: 'epoch', phase, epoch, epochs: 2, trainLoss: 2 / epoch, trainAccuracy: 0.5, testAccuracy: 0.4 + epoch / 10, testLoss: 1, seconds: 1.25 * epoch, ...(method ? { method } : {}),
});
const phase = (p: TrainerProgressEvent['phase'], status: 'start' | 'done', model: string, method?: string): RunEvent => ({ type: 'phase', phase: p, status, model, ...(method ? { method } : {}) });
/** A lane's training: every step's progress, then its epoch line. */
const epochOf = (p: TrainerProgressEvent['phase'], epoch: number, method?: string): RunEvent[] => [...Array.from({ length: STEPS }, (_, i) => progress(p, epoch, i + 1, method)), epochLine(p, epoch, method)];
/** What a run folder keeps of those: every eighth step's progress (not the last), and every other event. */
const stored = (events: RunEvent[]) => events.filter((e) => e.type !== 'progress' || (e.step % (STEPS / 8) === 1 && e.step !== e.steps));

describe('the run in view catches up after its events were lost', () => {
  it('gets what it missed from its folder, keeps its own denser curve up to the drop, and counts an epoch that came both ways once', () => {
    const config = presetConfig('quick');
    const before = [phase('teacher', 'start', 'mlp-800x2'), ...epochOf('teacher', 1)];
    // Lost while the socket was down: the rest of the teacher and the student's start.
    const lost = [...epochOf('teacher', 2), phase('teacher', 'done', 'mlp-800x2'), phase('student', 'start', 'mlp-30x2'), ...epochOf('student', 1).slice(0, 8)];
    // Came on the new socket while the folder was read: the folder has the first ten of them too
    // (the student's last steps, its epoch line and its end).
    const since = [...epochOf('student', 1).slice(8), phase('student', 'done', 'mlp-30x2'), phase('baseline', 'start', 'mlp-30x2'), progress('baseline', 1, 1)];
    const live = emptyRunView('r', config);
    for (const event of before) applyRunEvent(live, event);
    const colours = live.lanes.map((l) => `${l.key}:${l.color}`);
    const detail: RunDetail = { runId: 'r', kind: 'run', status: 'running', updatedAt: '', config, teacherLoaded: false, result: null, study: null, metrics: stored([...before, ...lost, ...since.slice(0, 10)]) };

    const view = caughtUpView(live, detail, since);

    assert.deepEqual(view.lanes.map((l) => `${l.key}:${l.color}`), colours, 'the same lanes, in the same colours');
    assert.deepEqual(view.lanes.map((l) => l.state), ['done', 'done', 'training']);
    assert.deepEqual(view.epochs.map((e) => `${e.lane} ${e.epoch}`), ['teacher 1', 'teacher 2', 'student 1']);
    const teacherLoss = view.loss.filter((p) => p.lane === 'teacher').map((p) => p.x);
    // Epoch 1 as drawn live, every step (the last one's point is its epoch line's); epoch 2 as the
    // folder has it, eight samples and its epoch line.
    assert.equal(teacherLoss.filter((x) => x <= 1).length, STEPS);
    assert.deepEqual(teacherLoss.filter((x) => x > 1), [...Array.from({ length: 8 }, (_, i) => 1 + (2 * i + 1) / STEPS), 2]);
    // The student's steps from the new socket on, every one.
    const studentLoss = view.loss.filter((p) => p.lane === 'student').map((p) => p.x);
    for (let step = 9; step <= STEPS; step++) assert.ok(studentLoss.includes(step / STEPS), `student step ${step}`);
    assert.deepEqual([...studentLoss].sort((a, b) => a - b), studentLoss, 'in order');
    assert.equal(view.status, 'running');
  });

  it("keeps a study's methods that have not started yet as lanes", () => {
    const config = presetConfig('quick');
    const live = emptyRunView('s', config, ['kd', 'dist', 'baseline']);
    const detail: RunDetail = { runId: 's', kind: 'study', status: 'running', updatedAt: '', config, teacherLoaded: false, result: null, study: null, metrics: [phase('teacher', 'start', 'mlp-800x2'), phase('teacher', 'done', 'mlp-800x2'), phase('student', 'start', 'mlp-30x2', 'kd')] };
    const view = caughtUpView(live, detail, []);
    assert.deepEqual(view.lanes.map((l) => `${l.key} ${l.state}`), ['teacher done', 'kd training', 'dist waiting', 'baseline waiting']);
  });
});
