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

/** Side-by-side timings: each model's fastest, and whether the rounds settled on them. */
export interface SideBySideTiming {
  ms: number[];
  /**
   * True when the last rounds never agreed on the fastest timings: another process held the cores
   * throughout. With two wasm threads under a two-thread PyTorch job, rounds swung between 0.1 and
   * 1.7 ms and a student 2.2× faster than its teacher read 1.8× slower; one thread read true.
   */
  busy: boolean;
}

/** Rounds that must agree, and how closely (each within this factor of the fastest so far). */
export const SETTLE_ROUNDS = 3;
export const SETTLE_FACTOR = 1.25;

/**
 * Whether the last SETTLE_ROUNDS rounds of minima (roundMinima[round][model]) each came within
 * SETTLE_FACTOR of every model's fastest: a quiet machine repeats its timings, a busy one does
 * not, and neither does a model still warming up.
 */
export function timingsSettled(roundMinima: readonly (readonly number[])[]): boolean {
  if (roundMinima.length < SETTLE_ROUNDS) return false;
  const fastest = roundMinima[0]!.map((_, i) => Math.min(...roundMinima.map((round) => round[i]!)));
  return roundMinima.slice(-SETTLE_ROUNDS).every((round) => round.every((ms, i) => ms <= fastest[i]! * SETTLE_FACTOR));
}

/**
 * Each of `runs` timed in turn, round after round (each round a short fastestTimingMs), and each
 * one's fastest kept: models compared with one another meet the same load, where timings taken
 * minutes apart, at the end of their own phases, may not. After `rounds`, more rounds follow (up
 * to `maxRounds`) until the last ones agree (timingsSettled); if they never do, the timing says
 * it was made on a busy machine.
 */
export async function fastestSideBySideMs(runs: readonly (() => Promise<void>)[], { rounds = 5, maxRounds = 15, ...options }: TimingOptions & { rounds?: number; maxRounds?: number } = {}): Promise<SideBySideTiming> {
  const perRound = { minRuns: 21, minMs: 50, maxMs: 200, ...options };
  const roundMinima: number[][] = [];
  while (roundMinima.length < rounds || (roundMinima.length < maxRounds && !timingsSettled(roundMinima))) {
    const minima: number[] = [];
    for (const once of runs) minima.push(await fastestTimingMs(once, perRound));
    roundMinima.push(minima);
  }
  return { ms: runs.map((_, i) => Math.min(...roundMinima.map((round) => round[i]!))), busy: !timingsSettled(roundMinima) };
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
export async function measureLatenciesSideBySideMs(models: readonly tf.LayersModel[], shape: readonly [number, number, number], options: TimingOptions & { rounds?: number; maxRounds?: number } = {}): Promise<SideBySideTiming> {
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
