import * as tf from '@tensorflow/tfjs';

/** What tfjs hands a kernel function as its backend (typed `{}` by tfjs). */
export type KernelBackendArg = object;

export type Shape4 = [number, number, number, number];

/** The geometry of a convolution gradient kernel's call (NHWC only, as this project's kernels are). */
export function convInfo(xShape: Shape4, filterShape: Shape4, attrs: tf.Conv2DBackpropFilterAttrs | tf.Conv2DBackpropInputAttrs) {
  if (attrs.dataFormat === 'NCHW') throw new Error('convolution gradients: only NHWC is supported');
  return tf.backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/**
 * Runs one kernel of a backend from inside another kernel, the way tfjs backends compose their
 * own kernels: the result is a TensorInfo the caller owns and must release with `release`.
 */
export function runKernel(
  backend: KernelBackendArg,
  kernel: tf.KernelConfig,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const result = kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  if (Array.isArray(result)) throw new Error(`kernel ${kernel.kernelName} returned several outputs`);
  return result;
}

/** Frees intermediate results made with `runKernel`. */
export function release(backend: KernelBackendArg, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) (backend as tf.KernelBackend).disposeData(info.dataId);
}

/**
 * For a chain of kernels: `run` keeps every result, `releaseAll` frees them together once the
 * last one (made with `runKernel`, so it is not kept) has been computed from them.
 */
export function intermediates(backend: KernelBackendArg) {
  const kept: tf.TensorInfo[] = [];
  return {
    run(kernel: tf.KernelConfig, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown> = {}): tf.TensorInfo {
      const out = runKernel(backend, kernel, inputs, attrs);
      kept.push(out);
      return out;
    },
    releaseAll(): void {
      release(backend, ...kept);
    },
  };
}

/** The kernel registered for a backend now (before an override replaces it). */
export function registeredKernel(kernelName: string, backendName: string): tf.KernelConfig {
  const kernel = tf.getKernel(kernelName, backendName);
  if (!kernel) throw new Error(`kernel ${kernelName} is not registered for backend ${backendName}`);
  return kernel;
}

/** Swaps the last two axes of a tensor of rank 2 or more. */
export function transposeLastTwo(backend: KernelBackendArg, transpose: tf.KernelConfig, x: tf.TensorInfo): tf.TensorInfo {
  const perm = x.shape.length === 2 ? [1, 0] : [...x.shape.slice(0, -2).map((_, i) => i), x.shape.length - 1, x.shape.length - 2];
  return runKernel(backend, transpose, { x }, { perm });
}
