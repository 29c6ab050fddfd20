import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { presetConfig } from '../../electron/contract/catalogue';
import type { RunEvent } from '../../electron/contract/events';
import type { RunConfig } from '../../electron/contract/run-config';
import type { DatasetSplit, ImageDataset } from '../../electron/engine/data/dataset';
import type { DistillationMethod } from '../../electron/engine/methods/method';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import type { PhaseContext } from '../../electron/engine/runs/phases';
import { intermediateArchitectures, scaledName, selectInSteps } from '../../electron/engine/runs/selection-steps';
import { withKdCell } from '../../electron/contract/best-cell';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);
const mnist = { inputShape: [28, 28, 1] as [number, number, number], classes: 10, dropout: 0, seed: 1 };

/** The architectures between a student and its teacher, built and disposed. */
function between(student: string, teacher: string, steps: number): string[] | null {
  const s = buildModel(student, mnist);
  const t = buildModel(teacher, mnist);
  try {
    return intermediateArchitectures(student, s, t, steps);
  } finally {
    s.dispose();
    t.dispose();
  }
}

describe('weight selection in steps: the widths in between', () => {
  it('scales an MLP by its units and a convnet by its @width', () => {
    assert.equal(scaledName('mlp-30x2', 2), 'mlp-60x2');
    assert.equal(scaledName('mlp-30x2', 1.01), 'mlp-30x2');
    assert.equal(scaledName('lenet5@0.5', 2), 'lenet5');
    assert.equal(scaledName('lenet5@0.5', 1.5), 'lenet5@0.75');
    assert.equal(scaledName('resnet20@0.25', 1.5), 'resnet20@0.375');
    assert.equal(scaledName('lenet5', 5), null, 'past the widest width the app builds');
    assert.equal(scaledName('runs/x/teacher', 2), null);
  });

  it('puts geometric steps between mlp-800x2 and mlp-30x2, widest first, each cut keeping at least half', () => {
    // 30 · (800/30)^(k/5): 414.9, 215.3, 111.6, 57.9. Five cuts of at most a half need four widths in between, however many are allowed.
    assert.deepEqual(between('mlp-30x2', 'mlp-800x2', 4), ['mlp-415x2', 'mlp-215x2', 'mlp-112x2', 'mlp-58x2']);
    assert.deepEqual(between('mlp-30x2', 'mlp-800x2', 8), ['mlp-415x2', 'mlp-215x2', 'mlp-112x2', 'mlp-58x2']);
    assert.deepEqual(between('mlp-30x2', 'mlp-800x2', 1), ['mlp-155x2']);
  });

  it('scales a convnet by the ratio of its channels; a student at half the teacher is cut once', () => {
    // lenet5@2 has 12, 32, 240 and 168 channels or units, lenet5@0.5 a quarter of each: one width in between.
    assert.deepEqual(between('lenet5@0.5', 'lenet5@2', 8), ['lenet5']);
    assert.deepEqual(between('resnet20@0.125', 'resnet20', 8), ['resnet20@0.5', 'resnet20@0.25']);
    assert.equal(between('lenet5@0.5', 'lenet5', 8), null, 'half the channels: one cut keeps half already');
  });
  it('has nothing in between when the pair is not a narrower copy, the widths are equal, or no steps are asked', () => {
    assert.equal(between('lenet5', 'mlp-800x2', 2), null);
    assert.equal(between('mlp-30x2', 'mlp-30x2', 2), null);
    assert.equal(between('mlp-30x2', 'mlp-800x2', 0), null);
  });

  it('keeps a shallower student\'s depth: its steps pair with the teacher\'s first layers', () => {
    assert.deepEqual(between('mlp-30x2', 'mlp-800x3', 2), ['mlp-268x2', 'mlp-90x2']);
  });

  it('uses as few widths as keep every cut to at most a half', () => {
    // 17 / 16 and 20 / 16: one cut keeps more than half.
    assert.equal(between('mlp-16x1', 'mlp-17x1', 3), null);
    assert.equal(between('mlp-16x1', 'mlp-20x1', 8), null);
    // 13 / 3 = 4.3: three cuts, two widths in between (3 · 4.3^(2/3) = 8.0, 3 · 4.3^(1/3) = 4.9).
    assert.deepEqual(between('mlp-3x1', 'mlp-13x1', 8), ['mlp-8x1', 'mlp-5x1']);
  });
});

describe('weight selection in steps: training the widths', () => {
  it('trains every width with the student\'s own config (the race\'s T, a restart\'s seed and rate), not the run\'s', async () => {
    const shape: [number, number, number] = [6, 6, 1];
    const count = 40;
    const split: DatasetSplit = { count, images: Uint8Array.from({ length: count * 36 }, (_, i) => (i * 37) % 256), labels: Uint8Array.from({ length: count }, (_, i) => i % 3) };
    const dataset: ImageDataset = { name: 'tiny', format: 'test', shape, classNames: ['a', 'b', 'c'], train: split, test: split, validation: split };
    const run: RunConfig = { ...presetConfig('quick'), teacher: 'mlp-32x1', student: 'mlp-4x1', method: 'kd', selectionSteps: 8, batchSize: 10, lr: 0.01, seed: 1 };
    const lane: RunConfig = { ...withKdCell(run, 2, 0.5), seed: 3, lr: 0.02 };
    const events: RunEvent[] = [];
    const ctx: PhaseContext = { config: run, dataset, folder: null as never, checkpoints: null as never, signal: undefined, emit: async (event) => void events.push(event) };
    const seen: RunConfig[] = [];
    const kd = getMethod('kd');
    const spy: DistillationMethod = { ...kd, prepare: (context) => (seen.push(context.config), kd.prepare(context)) };
    const teacher = buildModel('mlp-32x1', { inputShape: shape, classes: 3, dropout: 0, seed: 1 });
    const student = buildModel('mlp-4x1', { inputShape: shape, classes: 3, dropout: 0, seed: 1 });
    try {
      const stepped = await selectInSteps(ctx, { student, teacher, method: spy, config: lane, phase: 'student', label: 'dist' });
      assert.ok(stepped, 'mlp-32x1 → mlp-4x1 has widths in between');
      stepped.source.dispose();
      assert.match(stepped.summary, /^weight selection in 2 steps: mlp-16x1 \(\d+\.\d\d %\) → mlp-8x1 \(\d+\.\d\d %\) on the validation split/);
      assert.equal(seen.length, 2);
      assert.ok(seen.every((config) => config === lane), 'each width is prepared with the lane\'s config');
      const progress = events.filter((e) => e.type === 'progress');
      assert.ok(progress.length > 0);
      assert.deepEqual([...new Set(progress.map((e) => (e.type === 'progress' ? `${e.method} ${e.lr}` : '')))], ['dist 0.02'], 'at the lane\'s rate, in its lane');
      // Each step's progress names the width it trains, so views keep it off the lane's own curve.
      assert.deepEqual([...new Set(progress.map((e) => (e.type === 'progress' ? e.via : '')))], ['mlp-16x1', 'mlp-8x1']);
    } finally {
      teacher.dispose();
      student.dispose();
    }
  });
});

