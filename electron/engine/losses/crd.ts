import * as tf from '@tensorflow/tfjs';

/**
 * Contrastive representation distillation (Tian et al. 2020), as their RepDistiller code (and
 * mdistiller, which copies it) computes it: each embedding is scored against the other model's
 * remembered embedding of the same image (the positive) and of K others (the negatives), as
 * exp(cos / τ) / Z, and NCE's binary estimate tells the positive from noise drawn with
 * probability 1/N per image. Here the K negatives are shared by the batch's images (RepDistiller
 * draws K per image), so a step gathers K memory rows rather than batch × K.
 */
const EPS = 1e-7;

/** Rows scaled to unit length, as RepDistiller's Normalize (no ε: a projection is never all zero in practice). */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.sum(tf.square(x), 1, true))));
}

/** Memory rows by image (gatherND: on wasm some 6× faster than gather for thousands of rows). */
export function memoryRows(memory: tf.Tensor, indices: tf.Tensor1D): tf.Tensor2D {
  return tf.gatherND(memory, tf.expandDims(indices, 1)) as tf.Tensor2D;
}

/**
 * anchor · rowsᵀ, [batch, rows], with no gradient for the memory rows (constants, as RepDistiller's
 * .detach(): tfjs would otherwise work out theirs too, a product as large as the forward one).
 * Computed as (rows · anchorᵀ)ᵀ: wasm's product with a transposed right operand of thousands of
 * rows is some 8× slower than transposing the small anchor and the result.
 */
const againstMemory = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [anchor, rows, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([rows]);
  return {
    value: tf.transpose(tf.matMul(rows, tf.transpose(anchor))),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, saved as tf.Tensor2D), tf.zerosLike(saved!)],
  };
}) as (anchor: tf.Tensor2D, rows: tf.Tensor2D) => tf.Tensor2D;

/** exp(anchor · row / τ), not yet divided by Z, for each image's positive and for each negative the batch shares. */
export interface ContrastScores {
  /** [batch, 1]: against the other model's memory of the same image. */
  positive: tf.Tensor2D;
  /** [batch, K]: against the K negatives' rows. */
  negative: tf.Tensor2D;
}

/** RepDistiller's out_v1 (or out_v2) before Z, kept as two tensors rather than one [batch, K + 1] to spare a copy of it each way. */
export function contrastScores(anchor: tf.Tensor2D, positives: tf.Tensor2D, negatives: tf.Tensor2D, temperature: number): ContrastScores {
  return tf.tidy(() => ({
    positive: tf.exp(tf.div(tf.sum(tf.mul(anchor, positives), 1, true), temperature)) as tf.Tensor2D,
    negative: tf.exp(tf.div(againstMemory(anchor, negatives), temperature)) as tf.Tensor2D,
  }));
}

/** x with no gradient through it: RepDistiller reads Z with .item(), a constant to autograd. */
const withoutGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x] = args as [tf.Tensor];
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
});

/**
 * RepDistiller's Z: the first batch's mean score times N, fixed from then on so that scores read
 * as probabilities. `saved` holds the Z of each direction, negative until the first batch sets
 * it; kept on the device (a synchronous read fails on WebGPU), and a constant to the gradient.
 */
export function contrastNormalisers(saved: tf.Tensor1D, scores: readonly [ContrastScores, ContrastScores], dataSize: number): tf.Tensor1D {
  return tf.tidy(() => {
    const mean = ({ positive, negative }: ContrastScores) => tf.div(tf.add(tf.sum(positive), tf.sum(negative)), positive.size + negative.size);
    const fresh = tf.mul(tf.stack(scores.map(mean)), dataSize);
    return withoutGradient(tf.where(tf.greater(saved, 0), saved, fresh)) as tf.Tensor1D;
  });
}

/**
 * RepDistiller's ContrastLoss on the scores divided by Z: −(Σ log P(positive is data) + Σ log
 * P(each negative is noise)) / batch, with m = K noise samples of probability 1/N each.
 */
export function contrastNceLoss({ positive, negative }: ContrastScores, normaliser: tf.Scalar, dataSize: number): tf.Scalar {
  return tf.tidy(() => {
    const [batch, negatives] = negative.shape;
    const noise = negatives / dataSize;
    const [p, n] = [tf.div(positive, normaliser), tf.div(negative, normaliser)];
    const logPositive = tf.log(tf.div(p, tf.add(p, noise + EPS)));
    // log(m·Pn / (x + m·Pn + ε)), summed: the constant log(m·Pn) once per term, not once per element.
    const logNegative = tf.sub(batch * negatives * Math.log(noise), tf.sum(tf.log(tf.add(n, noise + EPS))));
    return tf.div(tf.neg(tf.add(tf.sum(logPositive), logNegative)), batch) as tf.Scalar;
  });
}

/** RepDistiller's memory update: each image's row becomes unit(momentum · row + (1 − momentum) · its new embedding). */
export function updatedMemory(memory: tf.Tensor, rows: tf.Tensor1D, embeddings: tf.Tensor2D, momentum: number): tf.Tensor {
  return tf.tidy(() => {
    const mixed = tf.add(tf.mul(memoryRows(memory, rows), momentum), tf.mul(embeddings, 1 - momentum)) as tf.Tensor2D;
    return tf.tensorScatterUpdate(memory, tf.expandDims(rows, 1), unitRows(mixed));
  });
}
