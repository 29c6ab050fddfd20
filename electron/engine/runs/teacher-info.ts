import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RUN_SETTINGS, TEACHER_INPUT_SETTINGS } from '../../contract/catalogue';
import { DistillInputError } from '../errors';
import { findFamily } from '../models/registry';
import { openExternalTeacher } from './external-teacher';
import { ModelMetadataSchema, readModelJson } from './model-io';
import { isOnnxPath } from './onnx-teacher';
import { readRunConfig } from './store';
import type { TeacherInputDeclaration } from './teacher-input';

export interface TeacherInfo {
  name: string;
  format: string;
  runtime: string;
  params: number;
  bytes: number;
  inputShape: Array<number | null>;
  classes: number;
  /** The teacher's own class names, when it carries them (matched to a dataset's by name). */
  classNames: string[] | null;
  output: 'logits' | 'probabilities' | 'unknown';
  /** Its inner tensors, for the feature methods' pairs (the first MAX_TENSORS_LISTED). */
  tensors?: Array<{ name: string; op: string }>;
}

/** Tensors listed for a person to pair: a ResNet-50 makes about 300, a transformer thousands. */
const MAX_TENSORS_LISTED = 500;

/**
 * The teacher in what a person dropped: an .onnx file (alone, or the only one in a folder without
 * a model.json), or a TensorFlow.js LayersModel folder (the folder itself, or its model.json with
 * its weights).
 */
export async function teacherFolder(paths: string[]): Promise<string> {
  if (paths.length === 1) return savedTeacherPath(paths[0]!);
  const modelJson = paths.find((path) => basename(path) === 'model.json');
  if (!modelJson) throw new DistillInputError('a teacher is an .onnx file or a TensorFlow.js model folder (LayersModel or GraphModel): drop the file, the folder, or its model.json with its weight files');
  return dirname(modelJson);
}

/**
 * A folder that holds one .onnx file and no model.json stands for that file: a run whose teacher
 * was an ONNX file keeps it so in `teacher/`, and an ONNX export is such a folder. Anything else
 * (a model name, a file, a TensorFlow.js folder, a path that is not there) is returned as it is.
 */
export async function savedTeacherPath(path: string): Promise<string> {
  if (isOnnxPath(path) || !(await stat(path).catch(() => null))?.isDirectory()) return path;
  const entries = await readdir(path);
  const onnx = entries.filter(isOnnxPath);
  return onnx.length === 1 && !entries.includes('model.json') ? join(path, onnx[0]!) : path;
}

/**
 * The teacher a run used, named by its run folder, that folder's `teacher/`, or the .onnx file
 * kept there: the saved teacher (see savedTeacherPath), how that run declared its input, so a
 * later run feeds it the same way, and whether that run trained it (then as the app feeds its own
 * models). Null for any other path.
 */
export async function runTeacherOf(path: string): Promise<{ teacher: string; declaration: TeacherInputDeclaration; trainedHere: boolean } | null> {
  const keptFile = isOnnxPath(path) && basename(dirname(path)) === 'teacher';
  const runDir = keptFile ? dirname(dirname(path)) : basename(path) === 'teacher' ? dirname(path) : path;
  if (!(await stat(join(runDir, 'teacher')).catch(() => null))?.isDirectory()) return null;
  const config = await readRunConfig(runDir);
  if (!config) return null;
  // A teacher that run trained takes images as the app feeds its own models: what its config says
  // of an imported teacher's input acted on nothing there (a form may carry it from an earlier
  // check), and must not start acting now.
  const trainedHere = findFamily(config.teacher) !== null;
  const declared = trainedHere ? Object.fromEntries(TEACHER_INPUT_SETTINGS.map((key) => [key, RUN_SETTINGS[key].default])) : config;
  const { teacherInputRange, teacherNormalization, teacherMeanStd, teacherResize } = declared as TeacherInputDeclaration;
  return { teacher: keptFile ? path : await savedTeacherPath(join(runDir, 'teacher')), declaration: { teacherInputRange, teacherNormalization, teacherMeanStd, teacherResize }, trainedHere };
}

/** Opens a teacher (an .onnx file, a GraphModel or LayersModel folder) to check it and describe it (what the Models screen shows). */
export async function describeTeacher(path: string): Promise<TeacherInfo> {
  const teacher = await openExternalTeacher(path);
  try {
    if (teacher.outputs === null) throw new DistillInputError(`${basename(path)}: its output has no fixed number of classes`);
    const metadata = ModelMetadataSchema.safeParse(isOnnxPath(path) ? null : (await readModelJson(path)).userDefinedMetadata);
    return {
      name: metadata.success ? metadata.data.architecture : teacher.name,
      format: teacher.format,
      runtime: teacher.runtime,
      params: teacher.params,
      bytes: teacher.bytes,
      inputShape: teacher.inputDims,
      classes: teacher.outputs,
      classNames: teacher.classNames,
      output: metadata.success ? metadata.data.output : 'unknown',
      tensors: teacher.tensors.list.slice(0, MAX_TENSORS_LISTED),
    };
  } finally {
    await teacher.release();
  }
}
