import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { DistillInputError } from '../errors';
import { modelSize } from '../models/registry';
import { loadModelFolder } from './model-io';

export interface TeacherInfo {
  name: string;
  params: number;
  bytes: number;
  inputShape: Array<number | null>;
  classes: number;
  output: 'logits' | 'probabilities' | 'unknown';
}

/** The folder of a teacher from what a person dropped: the folder itself, or the files inside it. */
export async function teacherFolder(paths: string[]): Promise<string> {
  if (paths.length === 1 && (await stat(paths[0]!).catch(() => null))?.isDirectory()) return paths[0]!;
  const modelJson = paths.find((path) => basename(path) === 'model.json');
  if (!modelJson) throw new DistillInputError('a teacher is a TensorFlow.js LayersModel folder: drop the folder, or its model.json with its weight files');
  return dirname(modelJson);
}

/** Loads a teacher folder to check it and describe it (what the Models screen shows). */
export async function describeTeacher(dir: string): Promise<TeacherInfo> {
  const { model, metadata } = await loadModelFolder(dir);
  try {
    const size = modelSize(model);
    const classes = model.outputs[0]?.shape.at(-1);
    if (typeof classes !== 'number') throw new DistillInputError(`${dir}: the model has no fixed number of outputs`);
    return { name: metadata?.architecture ?? basename(dir), params: size.params, bytes: size.bytes, inputShape: model.inputs[0]?.shape.slice(1) ?? [], classes, output: metadata?.output ?? 'unknown' };
  } finally {
    model.dispose();
  }
}
