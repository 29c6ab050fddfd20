import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { ModelReport } from '../../electron/contract/events';
import { buildModel } from '../../electron/engine/models/registry';
import { saveModelFolder } from '../../electron/engine/runs/model-io';
import type { PhaseContext } from '../../electron/engine/runs/phases';
import { timeSideBySide } from '../../electron/engine/runs/side-by-side-latency';
import { fastestSideBySideMs, fastestTimingMs } from '../../electron/engine/train/evaluate';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('models timed side by side', () => {
  it('times each model in turns, so a busy spell slows them all and none reads it', async () => {
    // Another process holds the core for the first 400 ms, adding 6 ms to every call.
    const loadedUntil = performance.now() + 400;
    const load = () => (performance.now() < loadedUntil ? 6 : 0);
    const order: string[] = [];
    const a = async () => { order.push('a'); busy(1 + load()); };
    const b = async () => { order.push('b'); busy(2 + load()); };
    const [aMs, bMs] = await fastestSideBySideMs([a, b], { rounds: 4 });
    assert.ok(aMs! >= 1 && aMs! < 4, `a (1 ms) reads ${aMs} ms`);
    assert.ok(bMs! >= 2 && bMs! < 5, `b (2 ms) reads ${bMs} ms`);
    // Turns: all of a's timings of a round, then all of b's, four times over.
    const turns = order.filter((name, i) => name !== order[i - 1]);
    assert.deepEqual(turns, ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    // The same busy spell, met by one model timed on its own (at the end of its phase), is what it reads.
    const spell = performance.now() + 300;
    const alone = await fastestTimingMs(async () => busy(1 + (performance.now() < spell ? 6 : 0)), { minRuns: 21, maxMs: 200 });
    assert.ok(alone >= 7, `timed alone inside the spell it reads ${alone} ms`);
  });

  it("replaces the phases' timings of the teacher, the kept student and the student alone, and disposes what it loaded", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'side-by-side-'));
    const shape: [number, number, number] = [4, 4, 1];
    const metadata = { architecture: 'mlp-30x2', inputShape: shape, classNames: ['a', 'b'], output: 'logits' as const, preprocessing: 'pixels / 255', dataset: 'test' };
    for (const role of ['student', 'baseline']) await saveModelFolder(buildModel('mlp-30x2', { inputShape: shape, classes: 2, seed: 1, dropout: 0 }), join(dir, role), metadata);
    // A stand-in teacher that takes 3 ms a prediction.
    const teacher = { predict: (x: tf.Tensor) => { busy(3); return tf.zeros([x.shape[0]!, 2]); } } as unknown as tf.LayersModel;
    const ctx = { folder: { modelDir: (role: string) => join(dir, role) }, dataset: { shape } } as unknown as PhaseContext;
    const report = (name: string): ModelReport => ({ name, accuracy: 0.5, testLoss: 1, params: 1, bytes: 4, macs: 1, latencyMs: 99, confusion: [[1, 0], [0, 1]] });
    const tensorsBefore = tf.memory().numTensors;
    const timed = await timeSideBySide(ctx, teacher, { teacher: report('teacher'), student: report('mlp-30x2'), baseline: report('mlp-30x2') });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the loaded students and the input are disposed');
    assert.ok(timed.teacher!.latencyMs >= 3 && timed.teacher!.latencyMs < 99, `teacher ${timed.teacher!.latencyMs} ms`);
    for (const phase of ['student', 'baseline'] as const) {
      assert.ok(timed[phase]!.latencyMs < timed.teacher!.latencyMs, `${phase} ${timed[phase]!.latencyMs} ms, below the 3 ms teacher`);
      assert.equal(timed[phase]!.accuracy, 0.5, 'the rest of the report is kept');
    }
    // With one model alone (no teacher run here, no student alone) there is nothing to compare.
    const one = { teacher: report('teacher'), student: report('mlp-30x2'), baseline: null };
    assert.deepEqual(await timeSideBySide(ctx, null, one), one);
  });
});
