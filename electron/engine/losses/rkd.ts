import * as tf from '@tensorflow/tfjs';

/**
 * Relational KD (Park et al. 2019), as mdistiller computes it: the student's embeddings keep the
 * teacher's distances between the batch's images (each set scaled by its mean distance) and the
 * angles of the triangles they make, both compared by smooth L1. Embeddings are flattened, so
 * the two models' widths need not agree. The ε floors keep every square root's gradient finite
 * (a distance of an image to itself, a zero difference vector).
 */
const EPS = 1e-12;

/**
 * Distances and angles do not move when every embedding shifts by the same vector: centring
 * first keeps the Gram matrix's entries near the distances' own size, so the float32
 * cancellation in ‖a‖² + ‖b‖² − 2a·b stays small.
 */
const centred = (e: tf.Tensor2D) => tf.sub(e, tf.mean(e, 0, true)) as tf.Tensor2D;

/** Squared distances between the rows, from their Gram matrix (no n × n × d tensor), floored at 0. */
function squaredDistances(e: tf.Tensor2D): { gram: tf.Tensor2D; squares: tf.Tensor1D; squared: tf.Tensor2D } {
  const c = centred(e);
  const gram = tf.matMul(c, c, false, true) as tf.Tensor2D;
  const squares = tf.sum(tf.square(c), 1) as tf.Tensor1D;
  const squared = tf.relu(tf.sub(tf.add(tf.expandDims(squares, 1), tf.expandDims(squares, 0)), tf.mul(2, gram))) as tf.Tensor2D;
  return { gram, squares, squared };
}

type Geometry = ReturnType<typeof squaredDistances>;

/** Euclidean distances between the rows, 0 on the diagonal. */
function distancesOf({ squared }: Geometry): tf.Tensor2D {
  const offDiagonal = tf.sub(1, tf.eye(squared.shape[0]));
  return tf.mul(tf.sqrt(tf.maximum(squared, EPS)), offDiagonal) as tf.Tensor2D;
}

export function pairwiseDistances(e: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => distancesOf(squaredDistances(e)));
}

/** Distances divided by their mean over pairs of different images (all 0 for an epoch's last batch of one image, where mdistiller's is NaN). */
function normalizedDistances(geometry: Geometry): tf.Tensor2D {
  const n = geometry.squared.shape[0];
  const d = distancesOf(geometry);
  return tf.div(d, tf.maximum(tf.div(tf.sum(d), Math.max(1, n * (n - 1))), EPS)) as tf.Tensor2D;
}

/** Two embeddings closer than this share of the batch's mean squared distance count as one point (no direction between them). */
const SAME_POINT = 1e-5;

/**
 * cos ∠(e_i − e_j, e_k − e_j) for every j, i, k: [n, n, n]. mdistiller forms the n × n × d
 * differences and multiplies them (n³·d products); the same inner products come from the Gram
 * matrix G as G_ik − G_ij − G_jk + G_jj (n²·d + n³), 20 to 40 times faster for a wide teacher.
 * A zero difference (i = j, or a duplicate image) has no direction: its angles are 0, as
 * normalising a zero vector gives in mdistiller.
 */
function anglesOf({ gram, squares, squared }: Geometry): tf.Tensor3D {
  const n = squared.shape[0];
  const inner = tf.add(tf.sub(tf.sub(tf.expandDims(gram, 0), tf.expandDims(gram, 2)), tf.expandDims(gram, 1)), tf.reshape(squares, [n, 1, 1]));
  const meanSquared = tf.div(tf.sum(squared), Math.max(1, n * (n - 1)));
  // step() is 1 above 0 and carries no gradient: the mask is a choice, not part of the loss's slope.
  const apart = tf.step(tf.sub(squared, tf.mul(meanSquared, SAME_POINT)));
  const inverseLength = tf.div(apart, tf.sqrt(tf.maximum(squared, EPS)));
  return tf.mul(tf.mul(inner, tf.expandDims(inverseLength, 2)), tf.expandDims(inverseLength, 1)) as tf.Tensor3D;
}

export function tripletAngles(e: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => anglesOf(squaredDistances(e)));
}

const smoothL1 = (predictions: tf.Tensor, targets: tf.Tensor) => tf.losses.huberLoss(targets, predictions, undefined, 1, tf.Reduction.MEAN) as tf.Scalar;
const flat = (features: tf.Tensor) => tf.reshape(features, [features.shape[0]!, -1]) as tf.Tensor2D;

/** Each embedding set's Gram matrix once per step, shared by the distance and angle terms. */
const geometryOf = (features: tf.Tensor) => squaredDistances(flat(features));

export function rkdDistanceLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  return tf.tidy(() => smoothL1(normalizedDistances(geometryOf(student)), normalizedDistances(geometryOf(teacher))));
}

export function rkdAngleLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  return tf.tidy(() => smoothL1(anglesOf(geometryOf(student)), anglesOf(geometryOf(teacher))));
}

export interface RkdLossOptions {
  distanceWeight: number;
  angleWeight: number;
}

/** distanceWeight·distance term + angleWeight·angle term (mdistiller: 25 and 50). */
export function rkdLoss(student: tf.Tensor, teacher: tf.Tensor, { distanceWeight, angleWeight }: RkdLossOptions): tf.Scalar {
  return tf.tidy(() => {
    const [s, t] = [geometryOf(student), geometryOf(teacher)];
    const terms: tf.Scalar[] = [];
    if (distanceWeight > 0) terms.push(tf.mul(distanceWeight, smoothL1(normalizedDistances(s), normalizedDistances(t))));
    if (angleWeight > 0) terms.push(tf.mul(angleWeight, smoothL1(anglesOf(s), anglesOf(t))));
    return terms.length === 0 ? tf.scalar(0) : (tf.addN(terms) as tf.Scalar);
  });
}
