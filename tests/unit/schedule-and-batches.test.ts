import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { imageBatch, shiftInto } from '../../electron/engine/data/batches';
import { createRng, shuffledIndices } from '../../electron/engine/random';
import { learningRateAt } from '../../electron/engine/train/schedule';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

describe('learning-rate schedules', () => {
  it('keeps a constant rate, anneals cosine to zero, and steps down at milestones', () => {
    assert.equal(learningRateAt({ lr: 0.1, schedule: 'constant', lrMilestones: [] }, 7, 10), 0.1);
    const cosine = { lr: 0.1, schedule: 'cosine' as const, lrMilestones: [] };
    assert.equal(learningRateAt(cosine, 0, 10), 0.1);
    assert.ok(Math.abs(learningRateAt(cosine, 5, 10) - 0.05) < 1e-12);
    assert.ok(learningRateAt(cosine, 10, 10) < 1e-12);
    const step = { lr: 0.05, schedule: 'step' as const, lrMilestones: [150, 180, 210] };
    assert.equal(learningRateAt(step, 149.9, 240), 0.05);
    assert.ok(Math.abs(learningRateAt(step, 150, 240) - 0.005) < 1e-12);
    assert.ok(Math.abs(learningRateAt(step, 215, 240) - 0.00005) < 1e-12);
  });
});

describe('seeded shuffling', () => {
  it('is a permutation, repeatable for a seed', () => {
    const a = shuffledIndices(100, createRng(9));
    assert.deepEqual(Array.from(a), Array.from(shuffledIndices(100, createRng(9))));
    assert.notDeepEqual(Array.from(a), Array.from(shuffledIndices(100, createRng(10))));
    assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('image batches', () => {
  it('shifts an image with zero fill (jitter)', () => {
    // 3×3 image 1..9, shifted right by 1 and down by 1.
    const source = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const target = new Float32Array(9);
    shiftInto(source, target, 3, 3, 1, 1, 1);
    assert.deepEqual(Array.from(target, (v) => Math.round(v * 255)), [0, 0, 0, 0, 1, 2, 0, 4, 5]);
    shiftInto(source, target, 3, 3, 1, -1, 0);
    assert.deepEqual(Array.from(target, (v) => Math.round(v * 255)), [2, 3, 0, 5, 6, 0, 8, 9, 0]);
  });

  it('shifts only the given share of images (jitterShare), and draws nothing more at share 1', () => {
    // 400 copies of a 3×3 image with no zero pixel: any shift but (0, 0) zero-fills a border.
    const count = 400;
    const images = new Uint8Array(count * 9);
    for (let i = 0; i < images.length; i++) images[i] = (i % 9) + 1;
    const split = { count, images, labels: new Uint8Array(count) };
    const order = Array.from({ length: count }, (_, i) => i);
    const unshifted = (share: number | undefined, seed = 5): number => {
      const { x, labels } = imageBatch(split, [3, 3, 1], order, 0, count, { jitter: 1, ...(share === undefined ? {} : { jitterShare: share }), rng: createRng(seed) });
      const values = x.dataSync();
      x.dispose(); labels.dispose();
      let same = 0;
      for (let i = 0; i < count; i++) if (values.subarray(i * 9, i * 9 + 9).every((v) => v > 0)) same++;
      return same;
    };
    assert.equal(unshifted(0), count);
    // Share ½: half pass as they are, and a ninth of the other half draws the shift (0, 0): about 222.
    const half = unshifted(0.5);
    assert.ok(half > 180 && half < 265, `${half} of ${count} unshifted at share 0.5`);
    const all = unshifted(1);
    assert.ok(all < 80, `${all} of ${count} unshifted at share 1`);
    // Share 1 is the old behaviour draw for draw: the same shifts as a batch without the option.
    assert.equal(unshifted(undefined), all);
    const a = imageBatch(split, [3, 3, 1], order, 0, count, { jitter: 1, rng: createRng(8) });
    const b = imageBatch(split, [3, 3, 1], order, 0, count, { jitter: 1, jitterShare: 1, rng: createRng(8) });
    assert.deepEqual(Array.from(a.x.dataSync()), Array.from(b.x.dataSync()));
    for (const t of [a.x, a.labels, b.x, b.labels]) t.dispose();
  });

  it('gathers images in the given order as floats in [0, 1] with int32 labels', () => {
    const split = { count: 3, images: Uint8Array.from([0, 255, 51, 102, 0, 0]), labels: Uint8Array.from([4, 5, 6]) };
    const { x, labels } = imageBatch(split, [1, 2, 1], [2, 0], 0, 2);
    assert.deepEqual(x.shape, [2, 1, 2, 1]);
    assert.deepEqual(Array.from(x.dataSync()), [0, 0, 0, 1]);
    assert.deepEqual(Array.from(labels.dataSync()), [6, 4]);
    assert.equal(labels.dtype, 'int32');
    x.dispose();
    labels.dispose();
  });
});
