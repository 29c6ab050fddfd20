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

  it('puts geometric steps between mlp-800x2 and mlp-30x2, widest first', () => {
    // 30 · (800/30)^(k/5): 414.9, 215.3, 111.6, 57.9.
    assert.deepEqual(between('mlp-30x2', 'mlp-800x2', 4), ['mlp-415x2', 'mlp-215x2', 'mlp-112x2', 'mlp-58x2']);
    assert.deepEqual(between('mlp-30x2', 'mlp-800x2', 1), ['mlp-155x2']);
  });

  it('scales a convnet by the ratio of its channels', () => {
    // lenet5 has 6, 16, 120 and 84 channels or units, lenet5@0.5 half of each.
    assert.deepEqual(between('lenet5@0.5', 'lenet5', 2), ['lenet5@0.794', 'lenet5@0.63']);
  });

  it('has nothing in between when the pair is not a narrower copy, the widths are equal, or no steps are asked', () => {
    assert.equal(between('lenet5', 'mlp-800x2', 2), null);
    assert.equal(between('mlp-30x2', 'mlp-30x2', 2), null);
    assert.equal(between('mlp-30x2', 'mlp-800x2', 0), null);
  });

  it('keeps a shallower student\'s depth: its steps pair with the teacher\'s first layers', () => {
    assert.deepEqual(between('mlp-30x2', 'mlp-800x3', 2), ['mlp-268x2', 'mlp-90x2']);
  });

  it('drops widths that round to the teacher\'s, the student\'s or the step before', () => {
    // 16 → 17 units: every step rounds to 16 or 17.
    assert.equal(between('mlp-16x1', 'mlp-17x1', 3), null);
    assert.deepEqual(between('mlp-16x1', 'mlp-20x1', 8), ['mlp-19x1', 'mlp-18x1', 'mlp-17x1']);
  });
});
