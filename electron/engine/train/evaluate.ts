import * as tf from '@tensorflow/tfjs';
import { imageBatch, sequentialOrder } from '../data/batches';
import type { DatasetSplit } from '../data/dataset';
import { throwIfAborted } from '../errors';
import { crossEntropyLoss } from '../losses/cross-entropy';

export interface Evaluation {
  accuracy: number;
  loss: number;
  /** predicted class per example */
  predictions: Int32Array;
}

/** A long pass over a split that reports how far it got and stops when told (an export's check). */
export interface BatchWatch {
  signal?: AbortSignal;
  /** Images done so far, after each batch. */
  onImages?: (done: number) => void;
}

/** Runs the model in inference mode (dropout off) over a whole split. */
export async function evaluateModel(
  model: tf.LayersModel,
  split: DatasetSplit,
  shape: readonly [number, number, number],
  batchSize: number,
  watch: BatchWatch = {},
): Promise<Evaluation> {
  const order = sequentialOrder(split.count);
  const predictions = new Int32Array(split.count);
  let correct = 0;
  let lossSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    throwIfAborted(watch.signal);
    const end = Math.min(split.count, start + batchSize);
    const { x, labels } = imageBatch(split, shape, order, start, end);
    const [lossTensor, predicted] = tf.tidy(() => {
      const logits = model.predict(x) as tf.Tensor2D;
      return [crossEntropyLoss(labels, logits), tf.argMax(logits, -1)] as const;
    });
    const [lossValue, batchPredictions] = await Promise.all([lossTensor.data(), predicted.data()]);
    tf.dispose([x, labels, lossTensor, predicted]);
    lossSum += lossValue[0]! * (end - start);
    for (let i = 0; i < end - start; i++) {
      predictions[start + i] = batchPredictions[i]!;
      if (batchPredictions[i] === split.labels[start + i]) correct++;
    }
    watch.onImages?.(end);
  }
  return { accuracy: correct / split.count, loss: lossSum / split.count, predictions };
}

/** confusion[true][predicted] counts. */
export function confusionMatrix(labels: Uint8Array, predictions: Int32Array, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predictions.length; i++) matrix[labels[i]!]![predictions[i]!]! += 1;
  return matrix;
}

/** Logits for every example of a split, as one [n, classes] tensor (teacher outputs reused each epoch). */
export function predictLogits(model: tf.LayersModel, split: DatasetSplit, shape: readonly [number, number, number], batchSize: number): tf.Tensor2D {
  const order = sequentialOrder(split.count);
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(split.count, start + batchSize);
    parts.push(
      tf.tidy(() => {
        const { x, labels } = imageBatch(split, shape, order, start, end);
        labels.dispose();
        return model.predict(x) as tf.Tensor2D;
      }),
    );
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

export interface TimingOptions {
  minRuns?: number;
  minMs?: number;
  maxMs?: number;
}

/**
 * The fastest of repeated timings of `once`, after a warm-up: taken over at least `minMs` (and at
 * least `minRuns` of them, for at most `maxMs`). A prediction cannot run faster than the model
 * needs; it runs slower whenever another process holds a core, and while the app redraws its
 * charts on two cores that was three timings in four: two identical students read 1.16 and
 * 0.08 ms at the lower quartile. The fastest is what the model costs (as `timeit` reads it).
 */
export async function fastestTimingMs(once: () => Promise<void>, { minRuns = 101, minMs = 250, maxMs = 1000 }: TimingOptions = {}): Promise<number> {
  const timed = async () => {
    const started = performance.now();
    await once();
    return performance.now() - started;
  };
  for (let i = 0; i < 3; i++) await timed();
  let fastest = Infinity;
  let runs = 0;
  const started = performance.now();
  for (let elapsed = 0; (runs < minRuns || elapsed < minMs) && elapsed < maxMs; elapsed = performance.now() - started, runs++) fastest = Math.min(fastest, await timed());
  return fastest;
}

/**
 * Each of `runs` timed in turn, round after round (each round a short fastestTimingMs), and each
 * one's fastest kept: models compared with one another meet the same load, where timings taken
 * minutes apart, at the end of their own phases, may not.
 */
export async function fastestSideBySideMs(runs: readonly (() => Promise<void>)[], { rounds = 5, ...options }: TimingOptions & { rounds?: number } = {}): Promise<number[]> {
  const fastest = runs.map(() => Infinity);
  const perRound = { minRuns: 21, minMs: 50, maxMs: 200, ...options };
  for (let round = 0; round < rounds; round++) {
    for (const [i, once] of runs.entries()) fastest[i] = Math.min(fastest[i]!, await fastestTimingMs(once, perRound));
  }
  return fastest;
}

function predictOnce(model: tf.LayersModel, x: tf.Tensor): () => Promise<void> {
  return async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
}

/** Milliseconds per single-image prediction on the current backend (see fastestTimingMs). */
export async function measureLatencyMs(model: tf.LayersModel, shape: readonly [number, number, number], options: TimingOptions = {}): Promise<number> {
  const x = tf.zeros([1, ...shape]);
  try {
    return await fastestTimingMs(predictOnce(model, x), options);
  } finally {
    x.dispose();
  }
}

/** measureLatencyMs for several models at once, side by side (see fastestSideBySideMs). */
export async function measureLatenciesSideBySideMs(models: readonly tf.LayersModel[], shape: readonly [number, number, number], options: TimingOptions & { rounds?: number } = {}): Promise<number[]> {
  const x = tf.zeros([1, ...shape]);
  try {
    return await fastestSideBySideMs(models.map((model) => predictOnce(model, x)), options);
  } finally {
    x.dispose();
  }
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
