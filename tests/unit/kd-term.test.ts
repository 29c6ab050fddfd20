import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { presetConfig, type MethodId } from '../../electron/contract/catalogue';
import type { RunConfig } from '../../electron/contract/run-config';
import { softTargetKl } from '../../electron/engine/losses/hinton-kd';
import type { LossInputs } from '../../electron/engine/methods/method';
import { getMethod } from '../../electron/engine/methods/registry';
import { buildModel } from '../../electron/engine/models/registry';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const values = (n: number, d: number, seed: number) => Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed * 7.3 + i * 2.9 + j * 1.7) * (1 + ((i + j) % 4))));
const scalar = (t: tf.Scalar) => t.dataSync()[0]!;
const shape = { inputShape: [4, 4, 1] as [number, number, number], classes: 3, seed: 5, dropout: 0 };

/** The quick preset with a method's soft-term weight and KD's T and warm-up set. */
function configWith(method: MethodId, kdWeight: number, temperature = 3, warmup = 1): RunConfig {
  const quick = presetConfig('quick');
  const methodOptions = { ...quick.methodOptions, kd: { ...quick.methodOptions.kd, temperature, warmup } } as Record<string, Record<string, unknown>>;
  methodOptions[method] = { ...methodOptions[method], kdWeight, ...(method === 'crd' ? { negatives: 5, dimensions: 4 } : {}) };
  return { ...quick, method, methodOptions } as RunConfig;
}

function prepare(method: MethodId, config: RunConfig) {
  return getMethod(method).prepare({ student: buildModel('mlp-6x1', shape), teacher: buildModel('mlp-8x1', { ...shape, seed: 6 }), config, trainImages: 12 });
}

function inputs(progress: number): LossInputs {
  return {
    studentLogits: tf.tensor2d(values(4, 3, 1)),
    teacherLogits: tf.tensor2d(values(4, 3, 2)),
    labels: tf.tensor1d([0, 2, 1, 2], 'int32'),
    studentFeatures: [tf.tensor2d(values(4, 6, 3))],
    teacherFeatures: [tf.tensor2d(values(4, 8, 4))],
    epoch: 1,
    progress,
    epochs: 5,
    indices: Int32Array.from([3, 0, 7, 11]),
  };
}

describe("KD's soft term added to a feature method (--kd-weight)", () => {
  const kl = () => scalar(softTargetKl(inputs(0).studentLogits, inputs(0).teacherLogits!, 3));

  for (const method of ['sp', 'rkd', 'pkt', 'crd'] as const) {
    it(`${method}: adds w·T²·KL at KD's T once KD's warm-up is over, and nothing at w = 0`, () => {
      const plain = prepare(method, configWith(method, 0));
      const added = prepare(method, configWith(method, 0.5));
      try {
        const own = scalar(plain.loss(inputs(2)));
        const withTerm = scalar(added.loss(inputs(2)));
        assert.ok(kl() > 0.01, 'the two sets of logits differ');
        assert.ok(Math.abs(withTerm - own - 0.5 * 9 * kl()) < 1e-4 * Math.max(1, Math.abs(withTerm)), `${withTerm} − ${own} against ${0.5 * 9 * kl()}`);
        assert.match(added.description, /plus KD's soft term, weight 0\.5, T = 3, warm-up 1 epoch$/);
        assert.doesNotMatch(plain.description, /plus KD/);
      } finally {
        plain.dispose();
        added.dispose();
      }
    });
  }

  it("ramps up over KD's warm-up: half the term halfway through it, none at the first step", () => {
    const plain = prepare('sp', configWith('sp', 0, 3, 2));
    const added = prepare('sp', configWith('sp', 2, 3, 2));
    try {
      for (const [progress, share] of [[0, 0], [1, 0.5], [2, 1]] as const) {
        const gap = scalar(added.loss(inputs(progress))) - scalar(plain.loss(inputs(progress)));
        assert.ok(Math.abs(gap - share * 2 * 9 * kl()) < 1e-4 * Math.max(1, Math.abs(gap)), `progress ${progress}: ${gap}`);
      }
    } finally {
      plain.dispose();
      added.dispose();
    }
  });

  it("keeps CRD's memory as it was: made when first asked for, and checkpointed after the trainables", () => {
    const added = prepare('crd', configWith('crd', 1));
    try {
      const state = added.stateVariables!;
      assert.deepEqual(state.map((v) => v.shape), [[12, 4], [12, 4], [2]]);
      assert.equal(added.stateVariables![0], state[0], 'the same memory each time it is asked for');
    } finally {
      added.dispose();
    }
  });

  it("needs the teacher's logits, and says so", () => {
    const added = prepare('sp', configWith('sp', 1));
    try {
      assert.throws(() => added.loss({ ...inputs(2), teacherLogits: null }), /sp with --kd-weight needs the teacher's logits/);
    } finally {
      added.dispose();
    }
  });
});
