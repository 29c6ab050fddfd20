import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { ModelRole } from '../../contract/api';
import { imageBatch } from '../data/batches';
import { imageBytes, limitSplit, type ImageDataset } from '../data/dataset';
import { DistillInputError } from '../errors';
import { loadModelFolder } from './model-io';
import type { StoredRun } from './store';

export interface RunSoftLabels {
  index: number;
  label: number;
  pixels: Uint8Array;
  shape: [number, number, number];
  classNames: string[];
  /** Raw logits of each model the run saved; null where it has none. */
  logits: Record<ModelRole, number[] | null>;
}

const ROLES: readonly ModelRole[] = ['teacher', 'student', 'baseline'];

/**
 * The saved models of one run, kept loaded while a person steps through test images (the
 * soft-label explorer); loading another run disposes the previous one's.
 */
export class RunModelCache {
  private cached: { runId: string; models: Partial<Record<ModelRole, tf.LayersModel>> } | null = null;

  private async models(run: StoredRun): Promise<Partial<Record<ModelRole, tf.LayersModel>>> {
    if (this.cached?.runId !== run.id) {
      this.dispose();
      const models: Partial<Record<ModelRole, tf.LayersModel>> = {};
      for (const role of ROLES) {
        const loaded = await loadModelFolder(join(run.dir, role)).catch(() => null);
        if (loaded) models[role] = loaded.model;
      }
      this.cached = { runId: run.id, models };
    }
    return this.cached.models;
  }

  /** Each model's logits for test image `index`, with the image, preprocessed as in training. */
  async softLabels(run: StoredRun, data: ImageDataset, index: number): Promise<RunSoftLabels> {
    const test = limitSplit(data.test, run.config.limitTest, data.shape);
    if (index >= test.count) throw new DistillInputError(`test image ${index} does not exist (the run has ${test.count})`);
    const models = await this.models(run);
    const size = imageBytes(data.shape);
    const { x, labels } = imageBatch(test, data.shape, [index], 0, 1);
    labels.dispose();
    try {
      const logits = { teacher: null, student: null, baseline: null } as RunSoftLabels['logits'];
      for (const role of ROLES) {
        const model = models[role];
        if (!model) continue;
        const y = model.predict(x) as tf.Tensor;
        // Asynchronous reads only: WebGPU cannot read synchronously under Node.
        logits[role] = Array.from(await y.data());
        y.dispose();
      }
      return { index, label: test.labels[index]!, pixels: test.images.subarray(index * size, (index + 1) * size), shape: data.shape, classNames: data.classNames, logits };
    } finally {
      x.dispose();
    }
  }

  /** Drops a run's models (before its folder is deleted). */
  forget(runId: string): void {
    if (this.cached?.runId === runId) this.dispose();
  }

  dispose(): void {
    for (const model of Object.values(this.cached?.models ?? {})) model.dispose();
    this.cached = null;
  }
}
