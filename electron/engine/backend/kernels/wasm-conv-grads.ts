import * as tf from '@tensorflow/tfjs';
import { convInfo, intermediates, release, runKernel, type Shape4 } from './compose';
import { turnedFilter } from './wasm-heap-copies';
import type { WasmHeapBackend } from './wasm-heap';

/** The wasm kernels the gradients are written with; the convolutions are XNNPACK's, the fast ones. */
export interface WasmConvKernels {
  conv2d: tf.KernelConfig;
  depthwise: tf.KernelConfig;
  sum: tf.KernelConfig;
  pad: tf.KernelConfig;
  reshape: tf.KernelConfig;
  slice: tf.KernelConfig;
  transpose: tf.KernelConfig;
  matMul: tf.KernelConfig;
}

/**
 * Conv2DBackpropFilter, which tfjs-backend-wasm lacks, as one forward convolution:
 * dW[i, j, ci, co] = Σ x̂[n, y·s + i, x·s + j, ci] · dy[n, y, x, co] is x̂ (the padded input, with
 * batch and channels swapped: Ci images of N channels) convolved with dy (as an oH×oW filter from
 * N to Co channels, dilated by the stride). XNNPACK runs it 5–30× faster than an im2col of strided
 * slices and a matMul did (the slices and their concatenation were the cost).
 */
export function wasmFilterGradConfig(k: WasmConvKernels): tf.KernelConfig {
  return {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      const info = convInfo(x!.shape as Shape4, a.filterShape, a);
      const { top, bottom, left, right } = info.padInfo;
      if (info.filterHeight * info.filterWidth * info.strideHeight * info.strideWidth === 1 && top + bottom + left + right === 0) return pointwiseFilterGrad(backend, k, x!, dy!);
      const { run, releaseAll } = intermediates(backend);
      const padded = run(k.pad, { x: x! }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
      const images = run(k.transpose, { x: padded }, { perm: [3, 1, 2, 0] });
      const filter = run(k.transpose, { x: dy! }, { perm: [1, 2, 0, 3] });
      const dilations = [info.strideHeight, info.strideWidth];
      const full = run(k.conv2d, { x: images, filter }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations });
      // 'valid' forward convolutions can leave rows the filter never reached: keep the first kh×kw.
      const cut = run(k.slice, { x: full }, { begin: [0, 0, 0, 0], size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels] });
      const grad = runKernel(backend, k.transpose, { x: cut }, { perm: [1, 2, 0, 3] });
      releaseAll();
      return grad;
    },
  };
}

/** A 1×1, stride-1 convolution's filter gradient is a plain product: xᵀ·dy over all pixels. */
function pointwiseFilterGrad(backend: object, k: WasmConvKernels, x: tf.TensorInfo, dy: tf.TensorInfo): tf.TensorInfo {
  const [n, h, w, ci] = x.shape as Shape4;
  const co = dy.shape[3]!;
  const { run, releaseAll } = intermediates(backend);
  const columns = run(k.transpose, { x: run(k.reshape, { x }, { shape: [n * h * w, ci] }) }, { perm: [1, 0] });
  const grads = run(k.reshape, { x: dy }, { shape: [n * h * w, co] });
  const product = run(k.matMul, { a: columns, b: grads }, { transposeA: false, transposeB: false });
  const filter = runKernel(backend, k.reshape, { x: product }, { shape: [1, 1, ci, co] });
  releaseAll();
  return filter;
}

/** dy with s−1 zeros after every row and column: [N, oH, oW, C] → [N, oH·s, oW·s, C], by 4-D pads. */
function dilate(backend: object, k: WasmConvKernels, dy: tf.TensorInfo, strideHeight: number, strideWidth: number): tf.TensorInfo {
  const [n, oh, ow, c] = dy.shape as Shape4;
  const { run, releaseAll } = intermediates(backend);
  let t = run(k.reshape, { x: dy }, { shape: [n * oh, ow, 1, c] });
  t = run(k.pad, { x: t }, { paddings: [[0, 0], [0, 0], [0, strideWidth - 1], [0, 0]], constantValue: 0 });
  t = run(k.reshape, { x: t }, { shape: [n, oh, 1, ow * strideWidth * c] });
  t = run(k.pad, { x: t }, { paddings: [[0, 0], [0, 0], [0, strideHeight - 1], [0, 0]], constantValue: 0 });
  const result = runKernel(backend, k.reshape, { x: t }, { shape: [n, oh * strideHeight, ow * strideWidth, c] });
  releaseAll();
  return result;
}

/**
 * dy prepared so that a stride-1 'valid' correlation with the filter turned 180° gives dx: dilated
 * by the stride, trailing zeros beyond the padded input cut, padded by k − 1 − pad on each side.
 * Null for shapes this cannot express (a pad beyond the filter): the caller falls back.
 */
export function spreadForInputGrad(backend: object, k: WasmConvKernels, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo | null {
  const { inHeight, inWidth, filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, padInfo } = info;
  const lastRow = (outHeight - 1) * strideHeight + 1;
  const lastColumn = (outWidth - 1) * strideWidth + 1;
  if (padInfo.top > filterHeight - 1 || padInfo.left > filterWidth - 1 || inHeight + padInfo.top < lastRow || inWidth + padInfo.left < lastColumn) return null;
  const dilated = strideHeight * strideWidth > 1 ? dilate(backend, k, dy, strideHeight, strideWidth) : dy;
  const rows = Math.min(outHeight * strideHeight, inHeight + padInfo.top);
  const columns = Math.min(outWidth * strideWidth, inWidth + padInfo.left);
  const [n, , , channels] = dy.shape as Shape4;
  const cut = runKernel(backend, k.slice, { x: dilated }, { begin: [0, 0, 0, 0], size: [n, rows, columns, channels] });
  const top = filterHeight - 1 - padInfo.top;
  const left = filterWidth - 1 - padInfo.left;
  const paddings = [[0, 0], [top, inHeight + filterHeight - 1 - top - rows], [left, inWidth + filterWidth - 1 - left - columns], [0, 0]];
  const padded = runKernel(backend, k.pad, { x: cut }, { paddings, constantValue: 0 });
  release(backend, cut);
  if (dilated !== dy) release(backend, dilated);
  return padded;
}

/**
 * Conv2DBackpropInput as one forward convolution too: the spread dy convolved with the filter
 * turned 180° and its channels swapped. tfjs-wasm's own kernel is a plain loop, 5–12× slower here;
 * shapes `spreadForInputGrad` cannot express go to it.
 */
export function wasmInputGradConfig(k: WasmConvKernels, original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
      const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
      const spread = spreadForInputGrad(backend, k, dy!, convInfo(a.inputShape, filter!.shape as Shape4, a));
      if (!spread) return original.kernelFunc(args);
      const turned = turnedFilter(backend as WasmHeapBackend, filter!, true);
      const dx = runKernel(backend, k.conv2d, { x: spread, filter: turned }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 });
      release(backend, spread, turned);
      return dx;
    },
  };
}
