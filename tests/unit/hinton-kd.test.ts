import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { crossEntropyLoss } from '../../electron/engine/losses/cross-entropy';
import { hintonKdLoss, softTargetKl } from '../../electron/engine/losses/hinton-kd';
import { useCpuBackend } from '../helpers/backend';

before(useCpuBackend);

const softmax = (z: number[], T = 1) => {
  const m = Math.max(...z.map((v) => v / T));
  const e = z.map((v) => Math.exp(v / T - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
/** Hand-written KL(p‖q) and CE, independent of tfjs. */
const kl = (p: number[], q: number[]) => p.reduce((sum, pi, i) => sum + pi * Math.log(pi / q[i]!), 0);
const ce = (z: number[], y: number) => -Math.log(softmax(z)[y]!);

const student = [[1.0, 2.0, 0.5], [0.2, -1.0, 3.0]];
const teacher = [[2.0, 4.0, -1.0], [-0.5, 0.0, 5.0]];
const labels = [1, 2];

function value(t: tf.Scalar): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function expected(T: number, alpha: number): number {
  let soft = 0;
  let hard = 0;
  for (let i = 0; i < 2; i++) {
    soft += kl(softmax(teacher[i]!, T), softmax(student[i]!, T)) / 2;
    hard += ce(student[i]!, labels[i]!) / 2;
  }
  return alpha * T * T * soft + (1 - alpha) * hard;
}

describe('hintonKdLoss', () => {
  const s = () => tf.tensor2d(student);
  const t = () => tf.tensor2d(teacher);
  const y = () => tf.tensor1d(labels, 'int32');

  it('matches the hand-computed α·T²·KL + (1−α)·CE', () => {
    for (const [T, alpha] of [[4, 0.9], [2, 0.5], [20, 0.3]] as const) {
      const got = value(hintonKdLoss(s(), t(), y(), { temperature: T, alpha }));
      assert.ok(Math.abs(got - expected(T, alpha)) < 1e-4, `T=${T} α=${alpha}: ${got} vs ${expected(T, alpha)}`);
    }
  });

  it('at T = 1 the soft term is the KL between plain softmaxes', () => {
    const got = value(softTargetKl(s(), t(), 1));
    const want = (kl(softmax(teacher[0]!), softmax(student[0]!)) + kl(softmax(teacher[1]!), softmax(student[1]!))) / 2;
    assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
    assert.ok(got > 0.1, 'the fixture must have a non-trivial KL');
  });

  it('with α = 0 reduces to cross-entropy', () => {
    const got = value(hintonKdLoss(s(), t(), y(), { temperature: 4, alpha: 0 }));
    const want = value(crossEntropyLoss(y(), s()));
    assert.ok(Math.abs(got - want) < 1e-6);
    assert.ok(Math.abs(want - (ce(student[0]!, 1) + ce(student[1]!, 2)) / 2) < 1e-5);
  });

  it('is zero in the soft term when the student equals the teacher', () => {
    assert.ok(Math.abs(value(softTargetKl(t(), t(), 3))) < 1e-6);
  });

  it('has the gradient finite differences give', () => {
    const T = 3;
    const alpha = 0.7;
    const f = (x: tf.Tensor2D) => hintonKdLoss(x, t(), y(), { temperature: T, alpha });
    const grad = tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(s()).arraySync() as number[][];
    const eps = 1e-2;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const plus = student.map((row) => [...row]);
        const minus = student.map((row) => [...row]);
        plus[i]![j]! += eps;
        minus[i]![j]! -= eps;
        const numeric = (value(f(tf.tensor2d(plus))) - value(f(tf.tensor2d(minus)))) / (2 * eps);
        assert.ok(Math.abs(numeric - grad[i]![j]!) < 2e-3, `d/ds[${i}][${j}]: analytic ${grad[i]![j]} vs numeric ${numeric}`);
      }
    }
  });
});
