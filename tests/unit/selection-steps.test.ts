import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildModel } from '../../electron/engine/models/registry';
import { intermediateArchitectures, scaledName } from '../../electron/engine/runs/selection-steps';
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
