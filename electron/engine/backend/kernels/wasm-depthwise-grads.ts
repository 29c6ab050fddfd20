import * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-wasm's backend these kernels use: tensors live on the wasm heap. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface DepthwiseAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dilations: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

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

type Shape4 = [number, number, number, number];

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

/** tfjs-backend-wasm has no depthwise-convolution gradients; these plain loops over its heap supply them. */
export const wasmDepthwiseFilterGradConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as tf.DepthwiseConv2dNativeBackpropFilterInputs;
    const { strides, pad, dilations, dimRoundingMode, filterShape } = attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
    const info = tf.backend_util.computeConv2DInfo(x!.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const { out, views: [xs, dys, dw], channels, multiplier } = onHeap(backend, info, filterShape, x!, dy!);
    forEachTap(info, (xo, wo, dyo) => {
      for (let d = 0; d < channels; d++) {
        const xv = xs[xo + d]!;
        for (let q = 0; q < multiplier; q++) dw[wo + d * multiplier + q]! += xv * dys[dyo + d * multiplier + q]!;
      }
    });
    return out;
  },
};

export const wasmDepthwiseInputGradConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
    const { strides, pad, dilations, dimRoundingMode, inputShape } = attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter!.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
    const { out, views: [ws, dys, dx], channels, multiplier } = onHeap(backend, info, inputShape, filter!, dy!);
    forEachTap(info, (xo, wo, dyo) => {
      for (let d = 0; d < channels; d++) {
        let sum = 0;
        for (let q = 0; q < multiplier; q++) sum += ws[wo + d * multiplier + q]! * dys[dyo + d * multiplier + q]!;
        dx[xo + d]! += sum;
      }
    });
    return out;
  },
};
