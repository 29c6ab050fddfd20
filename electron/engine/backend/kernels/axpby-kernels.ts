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
  const { x, y, s } = inputs as { x: tf.TensorInfo; y: tf.TensorInfo; s?: tf.TensorInfo };
  const { a, b } = attrs as unknown as AxpbyAttrs;
  return { x, y, s, a, b };
}

export const cpuAxpbyConfig: tf.KernelConfig = {
  kernelName: AXPBY,
  backendName: 'cpu',
  kernelFunc: (args) => {
    const { x, y, s, a, b } = axpbyArgs(args);
    const cpu = args.backend as unknown as CpuBackend;
    const xs = cpu.data.get(x.dataId).values as Float32Array;
    const ys = cpu.data.get(y.dataId).values as Float32Array;
    // f32 rounding as the GPU's (b·s first, as the shader does).
    const bs = s ? Math.fround(b * (cpu.data.get(s.dataId).values as Float32Array)[0]!) : b;
    const out = new Float32Array(xs.length);
    for (let i = 0; i < out.length; i++) out[i] = a * xs[i]! + bs * ys[i]!;
    return cpu.makeTensorInfo(x.shape, 'float32', out);
  },
};

class AxpbyProgram implements WebGpuProgram {
  variableNames = ['x', 'y'];
  uniforms = 'a : f32, b : f32,';
  workgroupSize: [number, number, number] = [64, 1, 1];
  dispatchLayout: { x: number[] };
  size = true;
  shaderKey: string;
  dispatch: [number, number, number];

  /** `scaled`: b is multiplied by a third input's one value (a·x + b·s·y). */
  constructor(public outputShape: number[], private readonly scaled: boolean) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const groups = Math.ceil(tf.util.sizeFromShape(outputShape) / 64);
    this.dispatch = [Math.min(groups, 65535), Math.ceil(groups / 65535), 1];
    if (scaled) this.variableNames = ['x', 'y', 's'];
    this.shaderKey = scaled ? 'distillAxpbyScaled' : 'distillAxpby';
  }

  getUserCode(): string {
    const b = this.scaled ? '(uniforms.b * s[0])' : 'uniforms.b';
    return /* wgsl */ `
      ${'fn main(index : i32)'} {
        if (index < uniforms.size) {
          setOutputAtIndex(index, uniforms.a * x[index] + ${b} * y[index]);
        }
      }
    `;
  }
}

export const webgpuAxpbyConfig: tf.KernelConfig = {
  kernelName: AXPBY,
  backendName: 'webgpu',
  kernelFunc: (args) => {
    const { x, y, s, a, b } = axpbyArgs(args);
    return (args.backend as WebGpuBackend).runWebGPUProgram(new AxpbyProgram(x.shape, s !== undefined), s ? [x, y, s] : [x, y], 'float32', [
      { type: 'float32', data: [a] },
      { type: 'float32', data: [b] },
    ]);
  },
};
