import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { DistillInputError } from '../errors';
import { describeOnnxModel, onnxNodes, withGraphOutputs } from '../export/onnx/encode';
import { firstLine } from '../data/limits';
import { parseClassNames, readLabelsFile } from './class-mapping';
import type { ExternalTeacher, TeacherFeatureBatch } from './external-teacher';
import { graphTensorNames } from './graph-ops';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

export const isOnnxPath = (path: string) => /\.onnx$/i.test(path);

/** A cheap check before a run: the file parses as an ONNX model with a graph (a cut-short file does not). */
export function checkOnnxFile(path: string, bytes: Uint8Array): ReturnType<typeof describeOnnxModel> {
  try {
    const described = describeOnnxModel(bytes);
    if (described.nodes === 0) throw new Error('it has no graph nodes');
    return described;
  } catch (error) {
    throw new DistillInputError(`${basename(path)}: not an ONNX model (${firstLine(error)})`);
  }
}

/** Metadata keys that exporters and people use for class names. */
const CLASS_NAME_KEYS = ['classes', 'class_names', 'classNames', 'labels', 'names', 'id2label'];

/**
 * onnxruntime's execution providers worth trying, best first: CUDA when its provider library is
 * installed beside onnxruntime-node (its install script fetches it; denied here by default),
 * WebGPU when the run itself computes on WebGPU, then the CPU, which is always there.
 */
function providerOrder(): string[] {
  const order: string[] = [];
  try {
    const binDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
    if (existsSync(join(binDir, process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so'))) order.push('cuda');
  } catch {
    // no CUDA provider to find
  }
  if (tf.getBackend() === 'webgpu') order.push('webgpu');
  return [...order, 'cpu'];
}

/** A session on the first provider that opens, and which one that was (with why the better ones did not). */
async function openSession(ort: Ort, bytes: Uint8Array, path: string): Promise<{ session: Session; provider: string }> {
  const skipped: string[] = [];
  for (const provider of providerOrder()) {
    try {
      return { session: await ort.InferenceSession.create(bytes, { executionProviders: [provider] }), provider: skipped.length ? `${provider}; ${skipped.join('; ')}` : provider };
    } catch (error) {
      if (provider === 'cpu') throw new DistillInputError(`${basename(path)}: not an ONNX model onnxruntime can run (${firstLine(error)})`);
      skipped.push(`${provider} unavailable: ${firstLine(error).slice(0, 80)}`);
    }
  }
  throw new DistillInputError(`${basename(path)}: no onnxruntime execution provider could open it`);
}

/** The tensor an ONNX classifier reads, the embedding RKD, SP and PKT read: the first input of its last Gemm or MatMul. */
export function onnxEmbeddingName(bytes: Uint8Array): string | null {
  return onnxNodes(bytes).findLast((node) => node.op === 'Gemm' || node.op === 'MatMul')?.inputs[0] ?? null;
}

/**
 * A teacher in ONNX (from torch.onnx.export, tf2onnx, …), run forward only by onnxruntime-node.
 * Its inner tensors, where a feature method names them, come from a second session on the same
 * model with those tensors made graph outputs (onnxruntime returns only those); the file is not changed.
 */
export async function openOnnxTeacher(path: string): Promise<ExternalTeacher> {
  const file = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new DistillInputError(`${path}: cannot read (${error.code ?? firstLine(error)})`);
  });
  const described = checkOnnxFile(path, file);
  let ort: Ort;
  try {
    ort = await import('onnxruntime-node');
  } catch (error) {
    throw new DistillInputError(`ONNX teachers need onnxruntime-node, which could not load (${firstLine(error)})`);
  }
  const { session, provider } = await openSession(ort, file, path);
  const input = session.inputMetadata[0];
  const output = session.outputMetadata[0];
  const dims = (meta: typeof input) => (meta && meta.isTensor ? meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : []);
  const inputDims = dims(input);
  if (inputDims.length !== 4) {
    await session.release();
    throw new DistillInputError(`${basename(path)}: its input ${JSON.stringify(input && input.isTensor ? input.shape : '?')} is not a batch of images ([batch, channels, height, width] or [batch, height, width, channels])`);
  }
  // PyTorch's exports are NCHW; a channel count of 1, 3 or 4 first (and a larger one last) tells them apart.
  const nchw = inputDims[1] !== null && inputDims[1]! <= 4 && !(inputDims[3] !== null && inputDims[3]! <= 4);
  const hwc = nchw ? [inputDims[2]!, inputDims[3]!, inputDims[1]!] : [inputDims[1]!, inputDims[2]!, inputDims[3]!];
  const names = (await readLabelsFile(join(dirname(path), 'labels.txt'))) ?? parseClassNames(CLASS_NAME_KEYS.map((key) => described.metadata[key]).find(Boolean));
  const outDim = dims(output).at(-1);
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const feed = async (x: tf.Tensor4D) => {
    const [n, h, w, c] = x.shape;
    const arranged = nchw ? tf.transpose(x, [0, 3, 1, 2]) : x;
    const data = Float32Array.from(await arranged.data());
    if (arranged !== x) arranged.dispose();
    return { [inputName]: new ort.Tensor('float32', data, nchw ? [n, c, h, w] : [n, h, w, c]) };
  };
  // Maps a block has moved channels-last (ConvNeXt's LayerNorm and MLP) are read as they are laid out.
  const tensorList = graphTensorNames(onnxNodes(file), nchw ? 'nchw' : 'nhwc');
  const channelsLast = new Set(tensorList.filter((t) => t.channelsLast).map((t) => t.name));
  // The session that also gives the tensors last asked for (a run asks for one set).
  let tapped: { key: string; session: Session } | null = null;
  const tappedSession = async (wanted: readonly string[]) => {
    const key = wanted.join('\n');
    if (tapped?.key !== key) {
      await tapped?.session.release();
      tapped = { key, session: (await openSession(ort, withGraphOutputs(file, wanted), path)).session };
    }
    return tapped.session;
  };
  return {
    name: basename(path),
    format: 'ONNX',
    runtime: `onnxruntime-node (${provider}), ${nchw ? 'NCHW' : 'NHWC'} input`,
    params: described.params,
    bytes: file.length,
    inputDims: hwc.map((d) => d ?? null),
    outputs: typeof outDim === 'number' ? outDim : null,
    classNames: names,
    tensors: { list: tensorList, embedding: onnxEmbeddingName(file) },
    async run(x) {
      const result = await session.run(await feed(x));
      return Float32Array.from(result[outputName]!.data as Float32Array);
    },
    async runWithFeatures(x, wanted) {
      const result = await (await tappedSession(wanted)).run(await feed(x), [outputName, ...wanted]);
      const features: TeacherFeatureBatch[] = [];
      for (const name of wanted) {
        const tensor = result[name]!;
        const dims = tensor.dims.map(Number);
        const values = Float32Array.from(tensor.data as Float32Array);
        if (dims.length === 4 && channelsLast.has(name)) {
          features.push({ name, data: values, shape: dims.slice(1) });
        } else if (dims.length === 4) {
          // ONNX's convolutions, pools and norms work in NCHW whatever the model's input (tf2onnx
          // transposes an NHWC input first): maps come channels last, as this app's layers give them.
          const moved = tf.tidy(() => tf.transpose(tf.tensor4d(values, dims as [number, number, number, number]), [0, 2, 3, 1]));
          features.push({ name, data: Float32Array.from(await moved.data()), shape: [dims[2]!, dims[3]!, dims[1]!] });
          moved.dispose();
        } else features.push({ name, data: values, shape: dims.length === 2 ? [dims[1]!] : dims.slice(1) });
      }
      return { outputs: Float32Array.from(result[outputName]!.data as Float32Array), features };
    },
    release: async () => {
      await tapped?.session.release();
      await session.release();
    },
  };
}
