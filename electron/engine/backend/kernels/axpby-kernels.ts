import * as tf from '@tensorflow/tfjs';
import { AXPBY, type AxpbyAttrs } from '../../ops/axpby';
import type { WebGpuBackend, WebGpuProgram } from './webgpu-program';

/** The pure-JavaScript backend's storage, as far as this kernel reads it. */
interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** The kernel's inputs and attributes, typed. */
function axpbyArgs({ inputs, attrs }: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }) {
  const { x, y } = inputs as { x: tf.TensorInfo; y: tf.TensorInfo };
  const { a, b } = attrs as unknown as AxpbyAttrs;
  return { x, y, a, b };
}

export const cpuAxpbyConfig: tf.KernelConfig = {
  kernelName: AXPBY,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const { x, y, a, b } = axpbyArgs(args);
    const cpu = args.backend as unknown as CpuBackend;
    const xs = cpu.data.get(x.dataId).values as Float32Array;
    const ys = cpu.data.get(y.dataId).values as Float32Array;
    const out = new Float32Array(xs.length);
    for (let i = 0; i < out.length; i++) out[i] = a * xs[i]! + b * ys[i]!;
    return cpu.makeTensorInfo(x.shape, 'float32', out);
  },
};

class AxpbyProgram implements WebGpuProgram {
  variableNames = ['x', 'y'];
  uniforms = 'a : f32, b : f32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout: { x: number[] };
  size = true;
  shaderKey = 'distillAxpby';
  dispatch: [number, number, number];

  constructor(public outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const groups = Math.ceil(tf.util.sizeFromShape(outputShape) / 64);
    this.dispatch = [Math.min(groups, 65535), Math.ceil(groups / 65535), 1];
  }

  getUserCode(): string {
    return /* wgsl */ `
      ${'fn main(index : i32)'} {
        if (index < uniforms.size) {
          setOutputAtIndex(index, uniforms.a * x[index] + uniforms.b * y[index]);
        }
      }
    `;
  }
}

export const webgpuAxpbyConfig: tf.KernelConfig = {
  kernelName: AXPBY,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { x, y, a, b } = axpbyArgs(args);
    return (args.backend as WebGpuBackend).runWebGPUProgram(new AxpbyProgram(x.shape), [x, y], 'float32', [
      { type: 'float32', data: [a] },
      { type: 'float32', data: [b] },
    ]);
  },
};
