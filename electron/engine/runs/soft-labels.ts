import type * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import type { ModelRole } from '../../contract/api';
import { imageBatch } from '../data/batches';
import { imageBytes, limitSplit, type DatasetSplit, type ImageDataset } from '../data/dataset';
import { datasetLook, imageForDataset, type DatasetLook, type ImageCut } from '../data/image-for-dataset';
import { DistillInputError } from '../errors';
import { predictLogits } from '../train/evaluate';
import { groupMistakes, MISTAKE_GROUPS, topThree, type MistakeGroupId, type TopPrediction } from './mistakes';
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

/** A person's own image as the run's models saw it, and their logits. */
export type RunImageSoftLabels = Omit<RunSoftLabels, 'index' | 'label'> & { inverted: boolean; cut: ImageCut };

const ROLES: readonly ModelRole[] = ['teacher', 'student', 'baseline'];

export interface RunMistakes {
  shape: [number, number, number];
  classNames: string[];
  images: number;
  groups: Array<{
    id: MistakeGroupId;
    label: string;
    count: number;
    samples: Array<{ index: number; label: number; pixels: Uint8Array; top: Record<ModelRole, TopPrediction[] | null> }>;
  }>;
}

/**
 * The saved models of one run, kept loaded while a person steps through test images (the
 * soft-label explorer); loading another run disposes the previous one's.
 */
export class RunModelCache {
  private cached: { key: string; runId: string; models: Partial<Record<ModelRole, tf.LayersModel>> } | null = null;
  /** What each dataset's test images look like, read once per dataset, not once per image tried. */
  private readonly looks = new WeakMap<DatasetSplit, DatasetLook>();

  /**
   * The run's models by role. A study keeps each method's student in a folder named after the
   * method: `student` then names which one plays the distilled student.
   */
  private async models(run: StoredRun, student = 'student'): Promise<Partial<Record<ModelRole, tf.LayersModel>>> {
    const folders: Record<ModelRole, string> = { teacher: 'teacher', student: student.replace(/\+/g, '-'), baseline: 'baseline' };
    const key = `${run.id}/${folders.student}`;
    if (this.cached?.key !== key) {
      this.dispose();
      const models: Partial<Record<ModelRole, tf.LayersModel>> = {};
      for (const role of ROLES) {
        if (role === 'student' && folders.student === 'baseline') continue;
        const loaded = await loadModelFolder(join(run.dir, folders[role])).catch(() => null);
        if (loaded) models[role] = loaded.model;
      }
      this.cached = { key, runId: run.id, models };
    }
    return this.cached.models;
  }

  /** Each model's logits for image `index` of `split`, preprocessed as in training. */
  private async logitsOf(run: StoredRun, split: DatasetSplit, shape: ImageDataset['shape'], index: number, student?: string): Promise<RunSoftLabels['logits']> {
    const models = await this.models(run, student);
    const { x, labels } = imageBatch(split, shape, [index], 0, 1);
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
      return logits;
    } finally {
      x.dispose();
    }
  }

  /** Each model's logits for test image `index`, with the image, preprocessed as in training; `student` picks a study's. */
  async softLabels(run: StoredRun, data: ImageDataset, index: number, student?: string): Promise<RunSoftLabels> {
    const test = limitSplit(data.test, run.config.limitTest, data.shape);
    if (index >= test.count) throw new DistillInputError(`test image ${index} does not exist (the run has ${test.count})`);
    const size = imageBytes(data.shape);
    const logits = await this.logitsOf(run, test, data.shape, index, student);
    return { index, label: test.labels[index]!, pixels: test.images.subarray(index * size, (index + 1) * size), shape: data.shape, classNames: data.classNames, logits };
  }

  /**
   * Each model's logits for a person's own image (PNG or JPEG bytes), made into one of the
   * dataset's images first (`imageForDataset`) and normalised as the test images are; `student`
   * picks a study's student, as for the mistakes.
   */
  async softLabelsOfImage(run: StoredRun, data: ImageDataset, bytes: Uint8Array, options: { name?: string; student?: string; cropAt?: number } = {}): Promise<RunImageSoftLabels> {
    let look = this.looks.get(data.test);
    if (!look) this.looks.set(data.test, (look = datasetLook(data.test, data.shape)));
    const { pixels, inverted, cut } = await imageForDataset(bytes, data.shape, look, options.name, options.cropAt);
    const split: DatasetSplit = { count: 1, images: pixels, labels: new Uint8Array(1), normalization: data.test.normalization };
    return { pixels, inverted, cut, shape: data.shape, classNames: data.classNames, logits: await this.logitsOf(run, split, data.shape, 0, options.student) };
  }

  /**
   * The mistakes gallery: every test image sorted by which of the run's models got it right, the
   * first `perGroup` of each group with the image and each model's three most probable classes.
   */
  async mistakes(run: StoredRun, data: ImageDataset, options: { perGroup?: number; student?: string } = {}): Promise<RunMistakes> {
    const perGroup = options.perGroup ?? 24;
    const test = limitSplit(data.test, run.config.limitTest, data.shape);
    const models = await this.models(run, options.student);
    const classes = data.classNames.length;
    const logits: Partial<Record<ModelRole, Float32Array>> = {};
    for (const role of ROLES) {
      const model = models[role];
      if (!model) continue;
      const all = predictLogits(model, test, data.shape, 256);
      logits[role] = (await all.data()) as Float32Array;
      all.dispose();
    }
    const size = imageBytes(data.shape);
    const groups = groupMistakes(logits, test.labels, classes);
    return {
      shape: data.shape,
      classNames: data.classNames,
      images: test.count,
      groups: (Object.entries(groups) as Array<[MistakeGroupId, number[]]>).map(([id, members]) => ({
        id,
        label: MISTAKE_GROUPS[id].label,
        count: members.length,
        samples: members.slice(0, perGroup).map((index) => ({
          index,
          label: test.labels[index]!,
          pixels: test.images.subarray(index * size, (index + 1) * size),
          top: Object.fromEntries(ROLES.map((role) => [role, logits[role] ? topThree(logits[role]!, index, classes) : null])) as Record<ModelRole, TopPrediction[] | null>,
        })),
      })),
    };
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
