import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DistillInputError } from '../errors';
import { modelSize } from '../models/registry';
import { describeOnnxModel } from '../export/onnx/encode';
import { loadModelFolder } from './model-io';
import { checkOnnxFile, isOnnxPath } from './onnx-teacher';

export interface TeacherInfo {
  name: string;
  params: number;
  bytes: number;
  inputShape: Array<number | null>;
  classes: number;
  output: 'logits' | 'probabilities' | 'unknown';
}

/**
 * The teacher in what a person dropped: an .onnx file (alone, or the only one in a folder), or a
 * TensorFlow.js LayersModel folder (the folder itself, or its model.json with its weights).
 */
export async function teacherFolder(paths: string[]): Promise<string> {
  if (paths.length === 1 && isOnnxPath(paths[0]!)) return paths[0]!;
  if (paths.length === 1 && (await stat(paths[0]!).catch(() => null))?.isDirectory()) {
    const onnx = (await readdir(paths[0]!)).filter(isOnnxPath);
    if (onnx.length === 1) return join(paths[0]!, onnx[0]!);
    return paths[0]!;
  }
  const modelJson = paths.find((path) => basename(path) === 'model.json');
  if (!modelJson) throw new DistillInputError('a teacher is an .onnx file or a TensorFlow.js LayersModel folder: drop the file, the folder, or its model.json with its weight files');
  return dirname(modelJson);
}

/** Loads a teacher (an .onnx file or a LayersModel folder) to check it and describe it (what the Models screen shows). */
export async function describeTeacher(dir: string): Promise<TeacherInfo> {
  if (isOnnxPath(dir)) return describeOnnxTeacher(dir);
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

async function describeOnnxTeacher(path: string): Promise<TeacherInfo> {
  const bytes = await readFile(path);
  checkOnnxFile(path, bytes);
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes).catch((error: Error) => {
    throw new DistillInputError(`${basename(path)}: not an ONNX model onnxruntime can run (${error.message.split('\n')[0]})`);
  });
  try {
    const input = session.inputMetadata[0];
    const output = session.outputMetadata[0];
    const dims = (meta: typeof input) => (meta && meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : []);
    const classes = dims(output).at(-1);
    if (typeof classes !== 'number') throw new DistillInputError(`${basename(path)}: its output has no fixed number of classes`);
    return { name: basename(path), params: describeOnnxModel(bytes).params, bytes: bytes.length, inputShape: dims(input).slice(1), classes, output: 'unknown' };
  } finally {
    await session.release();
  }
}
