import * as tf from '@tensorflow/tfjs';
import { intermediates, release, runKernel, type Shape4 } from './compose';
import { spreadForInputGrad, type WasmConvKernels } from './wasm-conv-grads';
import type { WasmHeapBackend } from './wasm-heap';
import { turnedFilter } from './wasm-heap-copies';

/**
 * Visits every (input pixel, filter tap, output pixel) triple of an NHWC depthwise convolution
 * with the flat offsets of x, filter and dy at channel 0: both gradients are sums over it.
 */
function forEachTap(info: tf.backend_util.Conv2DInfo, visit: (xOffset: number, wOffset: number, dyOffset: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const multiplier = outChannels / inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight - padInfo.top + wR * dilationHeight;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth - padInfo.left + wC * dilationWidth;
            if (xC < 0 || xC >= inWidth) continue;
            visit(((b * inHeight + xR) * inWidth + xC) * inChannels, (wR * filterWidth + wC) * inChannels * multiplier, dyOffset);
          }
        }
      }
    }
  }
}

/**
 * The common part of both gradients: a zeroed output on the wasm heap and views of the two inputs
 * and the output, taken after the output is allocated (allocating may grow, and detach, the heap).
 */
function onHeap(backend: object, info: tf.backend_util.Conv2DInfo, outShape: number[], a: tf.TensorInfo, b: tf.TensorInfo) {
  const heap = backend as WasmHeapBackend;
  const out = heap.makeOutput(outShape, 'float32');
  const views = [heap.typedArrayFromHeap(a), heap.typedArrayFromHeap(b), heap.typedArrayFromHeap(out)] as const;
  views[2].fill(0);
  return { out, views, channels: info.inChannels, multiplier: info.outChannels / info.inChannels };
}

/** The loops below: any channel multiplier, plain JavaScript over the heap. */
function filterGradByLoops(backend: object, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, filterShape: Shape4): tf.TensorInfo {
  const { out, views: [xs, dys, dw], channels, multiplier } = onHeap(backend, info, filterShape, x, dy);
  forEachTap(info, (xo, wo, dyo) => {
    for (let d = 0; d < channels; d++) {
      const xv = xs[xo + d]!;
      for (let q = 0; q < multiplier; q++) dw[wo + d * multiplier + q]! += xv * dys[dyo + d * multiplier + q]!;
    }
  });
  return out;
}

function inputGradByLoops(backend: object, filter: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, inputShape: Shape4): tf.TensorInfo {
  const { out, views: [ws, dys, dx], channels, multiplier } = onHeap(backend, info, inputShape, filter, dy);
  forEachTap(info, (xo, wo, dyo) => {
    for (let d = 0; d < channels; d++) {
      let sum = 0;
      for (let q = 0; q < multiplier; q++) sum += ws[wo + d * multiplier + q]! * dys[dyo + d * multiplier + q]!;
      dx[xo + d]! += sum;
    }
  });
  return out;
}

/**
 * dW[i, j, c] = Σ x̂[n, y·s + i, x·s + j, c] · dy[n, y, x, c] (channel multiplier 1) as one XNNPACK
 * depthwise convolution: x̂ laid out as one image of N·C channels, convolved with dy as an oH×oW
 * filter per channel, dilated by the stride; then summed over n.
 */
function filterGradByDepthwise(backend: object, k: WasmConvKernels, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const [n, , , c] = x.shape as Shape4;
  const { top, bottom, left, right } = info.padInfo;
  const { run, releaseAll } = intermediates(backend);
  const padded = run(k.pad, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
  const [, hp, wp] = padded.shape as Shape4;
  const image = run(k.reshape, { x: run(k.transpose, { x: padded }, { perm: [1, 2, 0, 3] }) }, { shape: [1, hp, wp, n * c] });
  const filter = run(k.reshape, { x: run(k.transpose, { x: dy }, { perm: [1, 2, 0, 3] }) }, { shape: [info.outHeight, info.outWidth, n * c, 1] });
  const full = run(k.depthwise, { x: image, filter }, { strides: 1, pad: 'valid', dilations: [info.strideHeight, info.strideWidth] });
  const cut = run(k.slice, { x: full }, { begin: [0, 0, 0, 0], size: [1, info.filterHeight, info.filterWidth, n * c] });
  const perImage = run(k.reshape, { x: cut }, { shape: [info.filterHeight, info.filterWidth, n, c] });
  const summed = run(k.sum, { x: perImage }, { axis: [2], keepDims: false });
  const grad = runKernel(backend, k.reshape, { x: summed }, { shape: [info.filterHeight, info.filterWidth, c, 1] });
  releaseAll();
  return grad;
}

/**
 * tfjs-backend-wasm has no depthwise-convolution gradients. With a channel multiplier of 1
 * (MobileNet's) both are XNNPACK depthwise convolutions; otherwise plain loops over the heap.
 */
export function wasmDepthwiseFilterGradConfig(k: WasmConvKernels): tf.KernelConfig {
  return {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as tf.DepthwiseConv2dNativeBackpropFilterInputs;
      const { strides, pad, dilations, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
      const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
      const direct = filterShape[3] === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
      return direct ? filterGradByDepthwise(backend, k, x!, dy!, info) : filterGradByLoops(backend, x!, dy!, info, filterShape);
    },
  };
}

export function wasmDepthwiseInputGradConfig(k: WasmConvKernels): tf.KernelConfig {
  return {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
      const { strides, pad, dilations, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
      const info = tf.backend_util.computeConv2DInfo(inputShape, filter!.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
      const spread = filter!.shape[3] === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 ? spreadForInputGrad(backend, k, dy!, info) : null;
      if (!spread) return inputGradByLoops(backend, filter!, dy!, info, inputShape);
      const turned = turnedFilter(backend as WasmHeapBackend, filter!, false);
      const dx = runKernel(backend, k.depthwise, { x: spread, filter: turned }, { strides: 1, pad: 'valid', dilations: 1 });
      release(backend, spread, turned);
      return dx;
    },
  };
}
