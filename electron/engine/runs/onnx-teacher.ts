import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { DatasetSplit } from '../data/dataset';
import { DistillInputError } from '../errors';
import { describeOnnxModel } from '../export/onnx/encode';
import { firstLine } from '../data/limits';
import { teacherInputBatch, type TeacherInputDeclaration } from './teacher-input';

type Session = import('onnxruntime-node').InferenceSession;

/** A teacher in ONNX (from torch.onnx.export, tf2onnx, …), run forward only by onnxruntime-node. */
export interface OnnxTeacher {
  name: string;
  /** How the model takes images: NCHW (PyTorch) or NHWC (TensorFlow), found from its input shape. */
  layout: 'NCHW' | 'NHWC';
  params: number;
  bytes: number;
  provider: string;
  /** Raw outputs for a whole split, fed as declared (range, normalisation); row-major [count, classes]. */
  outputs(split: DatasetSplit, declared: TeacherInputDeclaration): Promise<Float32Array>;
  release(): Promise<void>;
}

export const isOnnxPath = (path: string) => /\.onnx$/i.test(path);

/** A cheap check before a run: the file parses as an ONNX model with a graph (a cut-short file does not). */
export function checkOnnxFile(path: string, bytes: Uint8Array): void {
  try {
    if (describeOnnxModel(bytes).nodes === 0) throw new Error('it has no graph nodes');
  } catch (error) {
    throw new DistillInputError(`${basename(path)}: not an ONNX model (${firstLine(error)})`);
  }
}

/** Opens an ONNX teacher and checks that it can take the dataset's images and predicts its classes. */
export async function openOnnxTeacher(path: string, shape: readonly [number, number, number], classes: number): Promise<OnnxTeacher> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new DistillInputError(`${path}: cannot read (${error.code ?? firstLine(error)})`);
  });
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new DistillInputError(`ONNX teachers need onnxruntime-node, which could not load (${firstLine(error)})`);
  }
  let session: Session;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  } catch (error) {
    throw new DistillInputError(`${basename(path)}: not an ONNX model onnxruntime can run (${firstLine(error)})`);
  }
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  const dims = input && input.isTensor ? input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [];
  const [h, w, c] = shape;
  const fits = (want: number[]) => dims.length === 4 && want.every((d, i) => dims[i + 1] === null || dims[i + 1] === d);
  const layout = fits([c, h, w]) ? 'NCHW' : fits([h, w, c]) ? 'NHWC' : null;
  if (!layout) {
    await session.release();
    throw new DistillInputError(`${basename(path)}: its input ${JSON.stringify(input && input.isTensor ? input.shape : '?')} cannot take the dataset's ${h}×${w}×${c} images (expected [batch, ${c}, ${h}, ${w}] or [batch, ${h}, ${w}, ${c}])`);
  }
  const outDim = output && output.isTensor ? output.shape.at(-1) : undefined;
  if (typeof outDim === 'number' && outDim !== classes) {
    await session.release();
    throw new DistillInputError(`${basename(path)}: it predicts ${outDim} classes but the dataset has ${classes}`);
  }
  let params = 0;
  try {
    params = describeOnnxModel(bytes).params;
  } catch {
    params = 0;
  }
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  return {
    name: basename(path),
    layout,
    params,
    bytes: bytes.length,
    provider: 'cpu',
    async outputs(split, declared) {
      const order = Int32Array.from({ length: split.count }, (_, i) => i);
      let all: Float32Array | null = null;
      for (let start = 0; start < split.count; start += 256) {
        const end = Math.min(split.count, start + 256);
        const x = teacherInputBatch(split, shape, order, start, end, declared);
        const nchw = layout === 'NCHW' ? tf.transpose(x, [0, 3, 1, 2]) : x;
        const data = Float32Array.from(await nchw.data());
        tf.dispose([x, nchw]);
        const result = await session.run({ [inputName]: new ort.Tensor('float32', data, layout === 'NCHW' ? [end - start, c, h, w] : [end - start, h, w, c]) });
        const values = result[outputName]!.data as Float32Array;
        const width = values.length / (end - start);
        if (width !== classes) throw new DistillInputError(`${basename(path)}: it gives ${width} outputs per image but the dataset has ${classes} classes`);
        all ??= new Float32Array(split.count * classes);
        all.set(values, start * classes);
      }
      return all ?? new Float32Array(0);
    },
    release: () => session.release(),
  };
}
