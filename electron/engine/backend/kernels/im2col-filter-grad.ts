import * as tf from '@tensorflow/tfjs';
import { release, runKernel, transposeLastTwo } from './compose';

/** The kernels of one backend that the im2col filter gradient is written with. */
export interface Im2ColKernels {
  pad: tf.KernelConfig;
  stridedSlice: tf.KernelConfig;
  slice: tf.KernelConfig;
  concat: tf.KernelConfig;
  reshape: tf.KernelConfig;
  transpose: tf.KernelConfig;
  /** Untransposed a·b: the fast path of the backend. */
  matMul: tf.KernelConfig;
  add: tf.KernelConfig;
}

/** Caps the im2col buffer of one batch chunk (floats), so wide layers do not exhaust memory. */
const MAX_COLUMN_FLOATS = 1 << 23;

/**
 * Conv2DBackpropFilter as one matrix product: dW = dyᵀ · im2col(x), where im2col(x) has a row per
 * output pixel holding the kh×kw×Cin patch it saw (built from kh·kw strided slices of the padded
 * input). The result comes out as [Cout, kh·kw·Cin] and is transposed to the filter's
 * [kh, kw, Cin, Cout] layout. NHWC, dilation 1 (what tfjs's conv2d gradient supports).
 */
export function im2colFilterGradConfig(backendName: string, k: Im2ColKernels, maxColumnFloats = MAX_COLUMN_FLOATS): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter: only NHWC is supported');
      const info = tf.backend_util.computeConv2DInfo(x!.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
      const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
      const patch = filterHeight * filterWidth * inChannels;
      const chunk = Math.max(1, Math.floor(maxColumnFloats / (outHeight * outWidth * patch)));
      const padded = runKernel(backend, k.pad, { x: x! }, {
        paddings: [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]],
        constantValue: 0,
      });
      let sum: tf.TensorInfo | null = null;
      try {
        for (let n0 = 0; n0 < batchSize; n0 += chunk) {
          const n = Math.min(chunk, batchSize - n0);
          const slices: tf.TensorInfo[] = [];
          for (let i = 0; i < filterHeight; i++) {
            for (let j = 0; j < filterWidth; j++) {
              slices.push(runKernel(backend, k.stridedSlice, { x: padded }, {
                begin: [n0, i, j, 0],
                end: [n0 + n, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, inChannels],
                strides: [1, strideHeight, strideWidth, 1],
                beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
              }));
            }
          }
          const patches = slices.length === 1 ? slices[0]! : runKernel(backend, k.concat, slices as unknown as Record<string, tf.TensorInfo>, { axis: 3 });
          const rows = n * outHeight * outWidth;
          const columns = runKernel(backend, k.reshape, { x: patches }, { shape: [rows, patch] });
          const dyChunk = n === batchSize ? dy! : runKernel(backend, k.slice, { x: dy! }, { begin: [n0, 0, 0, 0], size: [n, outHeight, outWidth, outChannels] });
          const dy2d = runKernel(backend, k.reshape, { x: dyChunk }, { shape: [rows, outChannels] });
          const dyT = transposeLastTwo(backend, k.transpose, dy2d);
          const product = runKernel(backend, k.matMul, { a: dyT, b: columns }, { transposeA: false, transposeB: false });
          release(backend, ...slices, columns, dy2d, dyT);
          if (patches !== slices[0]) release(backend, patches);
          if (dyChunk !== dy) release(backend, dyChunk);
          if (sum === null) sum = product;
          else {
            const next = runKernel(backend, k.add, { a: sum, b: product });
            release(backend, sum, product);
            sum = next;
          }
        }
      } finally {
        release(backend, padded);
      }
      const filterT = transposeLastTwo(backend, k.transpose, sum!);
      const filter = runKernel(backend, k.reshape, { x: filterT }, { shape: filterShape });
      release(backend, sum!, filterT);
      return filter;
    },
  };
}
