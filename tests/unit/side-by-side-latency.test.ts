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
import { fastestSideBySideMs, fastestTimingMs, timingsSettled } from '../../electron/engine/train/evaluate';
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
    const { ms: [aMs, bMs], busy: wasBusy } = await fastestSideBySideMs([a, b], { rounds: 4 });
    assert.ok(aMs! >= 1 && aMs! < 4, `a (1 ms) reads ${aMs} ms`);
    assert.ok(bMs! >= 2 && bMs! < 5, `b (2 ms) reads ${bMs} ms`);
    assert.equal(wasBusy, false, 'the spell ended, and the last rounds agree');
    // Turns: all of a's timings of a round, then all of b's, at least four times over.
    const turns = order.filter((name, i) => name !== order[i - 1]);
    assert.ok(turns.length >= 8 && turns.length % 2 === 0, `${turns.length} turns`);
    assert.deepEqual(turns, turns.map((_, i) => (i % 2 ? 'b' : 'a')));
    // The same busy spell, met by one model timed on its own (at the end of its phase), is what it reads.
    const spell = performance.now() + 300;
    const alone = await fastestTimingMs(async () => busy(1 + (performance.now() < spell ? 6 : 0)), { minRuns: 21, maxMs: 200 });
    assert.ok(alone >= 7, `timed alone inside the spell it reads ${alone} ms`);
  });

  it('goes on while the rounds disagree, and says the machine was busy when they never settle', async () => {
    // Rounds are counted by the turns (a's first call after b's), not by the clock, so what the
    // models take depends on the round alone and not on this machine's own load.
    const timeInRounds = async (bMs: (round: number) => number) => {
      let round = 0;
      let lastWasB = false;
      const a = async () => { if (lastWasB) round++; lastWasB = false; busy(1); };
      const b = async () => { lastWasB = true; busy(bMs(round)); };
      const timing = await fastestSideBySideMs([a, b], { minRuns: 5, minMs: 0, maxMs: 100, rounds: 3, maxRounds: 8 });
      return { ...timing, rounds: round + 1 };
    };
    // Load that comes and goes: every other round of b's is 6 ms slower.
    const swinging = await timeInRounds((round) => 1 + (round % 2 ? 6 : 0));
    assert.equal(swinging.busy, true, 'the rounds never agreed');
    assert.equal(swinging.rounds, 8, 'it went on to maxRounds before saying so');
    assert.ok(swinging.ms[1]! >= 1 && swinging.ms[1]! < 4, `b's fastest (1 ms) reads ${swinging.ms[1]} ms`);
    // A model still warming up: slow for two rounds, then steady. More rounds follow, and settle.
    const warming = await timeInRounds((round) => (round < 2 ? 7 : 1));
    assert.equal(warming.busy, false);
    assert.ok(warming.rounds >= 5, `${warming.rounds} rounds: three after the slow two`);
  });

  it('settles on rounds that agree (timingsSettled)', () => {
    assert.equal(timingsSettled([[1, 2], [1.1, 2.2], [1.2, 2.4]]), true, 'within 1.25× of each fastest');
    assert.equal(timingsSettled([[1, 2], [1.1, 2.2], [1.2, 2.6]]), false, "b's last round is 1.3× its fastest");
    assert.equal(timingsSettled([[5, 9], [1, 2], [1, 2], [1.1, 2]]), true, 'an early slow round (warm-up) does not count');
    assert.equal(timingsSettled([[1, 2], [1, 2]]), false, 'too few rounds to tell');
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
