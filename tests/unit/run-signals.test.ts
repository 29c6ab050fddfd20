import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiEvent, RunSummary } from '../../electron/contract/api';
import type { RunEvent, RunResult, StudyResult } from '../../electron/contract/events';
import { presetConfig } from '../../electron/contract/catalogue';
import { RunSignals, runEndNotice, type DesktopShell, type RunNotice } from '../../electron/main/run-signals';

/** A desktop that records what it was asked to do. */
function desktop(focused = false) {
  const calls: { awake: boolean[]; progress: Array<number | null>; notices: RunNotice[] } = { awake: [], progress: [], notices: [] };
  const shell: DesktopShell = {
    keepAwake: (on) => void calls.awake.push(on),
    showProgress: (fraction) => void calls.progress.push(fraction),
    notify: (notice) => void calls.notices.push(notice),
    hasFocus: () => focused,
  };
  return { shell, calls };
}

const config = presetConfig('quick');
const report = (accuracy: number) => ({ name: 'm', accuracy, testLoss: 0, params: 1, bytes: 1, latencyMs: 0, confusion: [] });
const runResult = (student: number | null, baseline: number | null): RunResult =>
  ({ teacher: report(0.97), student: student === null ? null : report(student), baseline: baseline === null ? null : report(baseline), kdGain: student !== null && baseline !== null ? student - baseline : null }) as unknown as RunResult;
const summary = (result: RunResult | null, study: StudyResult | null = null): RunSummary =>
  ({ runId: 'r1', kind: study ? 'study' : 'run', status: 'completed', updatedAt: '', config, result, study }) as RunSummary;

const event = (runId: string, e: RunEvent): ApiEvent => ({ type: 'run-event', runId, event: e });
const progress = (epoch: number, step: number, extra: Partial<Extract<RunEvent, { type: 'progress' }>> = {}): RunEvent => ({ type: 'progress', phase: 'student', epoch, epochs: 4, step, steps: 10, loss: 1, accuracy: 0.5, imgPerSec: 1, etaSec: 1, lr: 0.05, ...extra });
const started = (runId: string): ApiEvent => event(runId, { type: 'started', runId, outDir: '/runs/x', backend: { name: 'wasm', device: 'cpu', reason: '' } });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('what a run does to the desktop', () => {
  it('keeps the machine awake from the first run started to the last one ended, and its bar at the model training now', async () => {
    const { shell, calls } = desktop();
    const signals = new RunSignals(shell, async () => null);
    signals.observe(started('a'));
    signals.observe(event('a', progress(1, 5)));
    signals.observe(event('a', progress(1, 6)));
    signals.observe(event('a', progress(1, 6)));
    signals.observe(started('b'));
    signals.observe(event('a', progress(3, 10)));
    signals.observe({ type: 'run-ended', runId: 'a', status: 'completed' });
    assert.deepEqual(calls.awake, [true], 'another run still trains');
    signals.observe({ type: 'run-ended', runId: 'b', status: 'cancelled' });
    await settle();
    assert.deepEqual(calls.awake, [true, false]);
    // (epoch − 1 + step / steps) / epochs, by whole percents: a repeat moves nothing.
    assert.deepEqual(calls.progress, [0.12, 0.15, 0.75, null]);
  });

  it("spreads a sweep's bar over all its cells, counting a resumed sweep's replayed cells once", () => {
    const { shell, calls } = desktop();
    const signals = new RunSignals(shell, async () => null);
    const cell = (n: number, extra: object = {}): ApiEvent => event('s', { type: 'sweep-cell', cell: n, cells: 4, temperature: 2, alpha: 0.5, valAccuracy: 0.9, seconds: 1, ...extra });
    signals.observe(cell(1, { kept: true }));
    signals.observe(cell(1, { kept: true }));
    signals.observe(event('s', progress(2, 0, { method: 'sweep T=2 α=0.9' })));
    // One cell done of 4, and half of the second's epochs: (1 + 0.25) / 4.
    assert.deepEqual(calls.progress, [0.31]);
    signals.observe(cell(2));
    signals.observe(event('s', progress(1, 0, { method: 'sweep T=4 α=0.5' })));
    assert.deepEqual(calls.progress, [0.31, 0.5]);
  });

  it('notifies the end of a run only when no window has focus, and never a cancel', async () => {
    const seen: string[] = [];
    const read = async (runId: string) => (seen.push(runId), summary(runResult(0.9447, 0.9367)));
    const away = desktop(false);
    const signals = new RunSignals(away.shell, read);
    signals.observe({ type: 'run-ended', runId: 'r1', status: 'completed' });
    signals.observe({ type: 'run-ended', runId: 'r2', status: 'cancelled' });
    await settle();
    assert.deepEqual(away.calls.notices, [{ title: 'Distillation finished', body: 'mlp-800x2 → mlp-30x2: distilled student 94.47%, +0.80 points over the student alone' }]);
    assert.deepEqual(seen, ['r1'], 'a cancel is not even read');
    const here = desktop(true);
    const watched = new RunSignals(here.shell, read);
    watched.observe({ type: 'run-ended', runId: 'r1', status: 'completed' });
    await settle();
    assert.deepEqual(here.calls.notices, []);
  });

  it('still tells of an end whose run cannot be read back', async () => {
    const { shell, calls } = desktop();
    const signals = new RunSignals(shell, async () => {
      throw new Error('the training process stopped');
    });
    signals.observe({ type: 'run-ended', runId: 'r9', status: 'failed', error: 'the training process stopped (exit code 9)\nmore' });
    await settle();
    assert.deepEqual(calls.notices, [{ title: 'Distillation failed', body: 'Run r9: the training process stopped (exit code 9)' }]);
  });
});

describe("a run's end in words", () => {
  it('names a study by its best distilled row, a sweep by what it found, a run without the student alone by its student', () => {
    const row = (method: string, label: string, accuracy: number, gain: number | null) => ({ method, label, accuracy, gain }) as StudyResult['rows'][number];
    const study = { teacher: report(0.97), rows: [row('baseline', 'student alone', 0.93, null), row('kd', 'KD (Hinton)', 0.944, 0.014), row('init+kd', 'teacher init + KD (Hinton)', 0.958, 0.028)] } as unknown as StudyResult;
    assert.deepEqual(runEndNotice({ runId: 'r1', status: 'completed' }, summary(null, study)), {
      title: 'Study finished',
      body: 'mlp-800x2 → mlp-30x2: best distilled student (teacher init + KD (Hinton)) 95.80%, +2.80 points over the student alone',
    });
    const swept = { ...runResult(null, null), sweep: { best: { temperature: 2, alpha: 0.9, valAccuracy: 0.9 } } } as RunResult;
    assert.deepEqual(runEndNotice({ runId: 'r1', status: 'completed' }, summary(swept)), { title: 'T × α sweep finished', body: 'mlp-800x2 → mlp-30x2: sweep found T = 2, α = 0.9' });
    assert.equal(runEndNotice({ runId: 'r1', status: 'completed' }, summary(runResult(0.95, null)))?.body, 'mlp-800x2 → mlp-30x2: distilled student 95.00%');
    assert.equal(runEndNotice({ runId: 'r1', status: 'failed', error: 'x'.repeat(400) }, summary(null, study))?.title, 'Study failed');
    assert.equal(runEndNotice({ runId: 'r1', status: 'failed', error: 'x'.repeat(400) }, null)?.body.length, 200, 'a long error is cut');
    assert.equal(runEndNotice({ runId: 'r1', status: 'cancelled' }, summary(runResult(0.95, null))), null);
    assert.deepEqual(runEndNotice({ runId: 'r1', status: 'completed' }, null), { title: 'Distillation finished', body: 'Run r1 is complete: its results are in History.' });
    // A run someone named is told by its name first.
    const named = { ...summary(runResult(0.95, null)), notes: { name: 'seed 2', note: '' } };
    assert.equal(runEndNotice({ runId: 'r1', status: 'completed' }, named)?.body, 'seed 2, mlp-800x2 → mlp-30x2: distilled student 95.00%');
  });
});
