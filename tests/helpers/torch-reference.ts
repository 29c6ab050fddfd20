import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';

// What the tests that check a method against its reference code in PyTorch share: deterministic
// inputs, NHWC → NCHW for PyTorch, and the tolerances of float32 against PyTorch's float64.

/** a within `tol` of b, relative where b is above 1. */
export const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** Each of a set of gradients within 0.1 % of the set's largest (float32 against PyTorch's float64). */
export function closeSet(ours: number[], theirs: number[], what: string): void {
  const scale = Math.max(...theirs.map(Math.abs));
  assert.ok(scale > 1e-6, `${what}: gradients large enough for the check to mean something`);
  ours.forEach((g, i) => assert.ok(Math.abs(g - theirs[i]!) <= 1e-3 * scale, `${what}[${i}]: ${g} vs ${theirs[i]}`));
}

/** A tensor of both signs and several scales, the same for the same seed. */
export const filled = (shape: number[], seed: number) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * (1 + (i % 4))), shape);

/** NHWC → NCHW (an embedding [n, d] → [n, d, 1, 1]), as nested arrays for PyTorch. */
export const nchw = (x: tf.Tensor) => (x.rank === 2 ? tf.reshape(x, [x.shape[0]!, x.shape[1]!, 1, 1]) : tf.transpose(x, [0, 3, 1, 2])).arraySync();

/** A tfjs kernel [kh, kw, in, out] as PyTorch's [out, in, kh, kw]. */
export const torchKernel = (k: tf.Tensor) => tf.transpose(k, [3, 2, 0, 1]).arraySync();
