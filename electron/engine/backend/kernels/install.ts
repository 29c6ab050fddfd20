import * as tf from '@tensorflow/tfjs';
import { registeredKernel } from './compose';
import { im2colFilterGradConfig, type Im2ColKernels } from './im2col-filter-grad';
import { wasmDepthwiseFilterGradConfig, wasmDepthwiseInputGradConfig } from './wasm-depthwise-grads';
import { wasmUntransposedMatMulConfig } from './wasm-mat-mul';
import { webgpuFilterGradConfig } from './webgpu-filter-grad';

const installed = new Set<string>();
/** The backends' own kernels that were replaced, to put back for side-by-side benchmarks. */
const replaced = new Map<string, tf.KernelConfig[]>();

function replaceKernel(config: tf.KernelConfig): void {
  const original = tf.getKernel(config.kernelName, config.backendName);
  if (original) {
    tf.unregisterKernel(config.kernelName, config.backendName);
    replaced.set(config.backendName, [...(replaced.get(config.backendName) ?? []), original]);
  }
  tf.registerKernel(config);
}

/** wasm: fast transposed matrix products, and the convolution gradients it lacks (so it trains convnets). */
function installWasmKernels(): void {
  const transpose = registeredKernel(tf.Transpose, 'wasm');
  const matMul = registeredKernel(tf.BatchMatMul, 'wasm');
  replaceKernel(wasmUntransposedMatMulConfig(matMul, transpose));
  replaceKernel(wasmUntransposedMatMulConfig(registeredKernel(tf._FusedMatMul, 'wasm'), transpose));
  replaceKernel(im2colFilterGradConfig('wasm', wasmIm2ColKernels(matMul, transpose)));
  replaceKernel(wasmDepthwiseFilterGradConfig);
  replaceKernel(wasmDepthwiseInputGradConfig);
}

/** The wasm kernels the im2col filter gradient is composed of (`matMul` is the untransposed original). */
export function wasmIm2ColKernels(matMul: tf.KernelConfig, transpose: tf.KernelConfig): Im2ColKernels {
  return {
    pad: registeredKernel(tf.PadV2, 'wasm'),
    stridedSlice: registeredKernel(tf.StridedSlice, 'wasm'),
    slice: registeredKernel(tf.Slice, 'wasm'),
    concat: registeredKernel(tf.Concat, 'wasm'),
    reshape: registeredKernel(tf.Reshape, 'wasm'),
    transpose,
    matMul,
    add: registeredKernel(tf.Add, 'wasm'),
  };
}

/** webgpu: an implicit-GEMM, split-K filter gradient in place of tfjs's one-thread-per-weight loop. */
function installWebGpuKernels(): void {
  replaceKernel(webgpuFilterGradConfig(registeredKernel(tf.Reshape, 'webgpu')));
}

const INSTALLERS: Partial<Record<string, () => void>> = {
  wasm: installWasmKernels,
  webgpu: installWebGpuKernels,
};

/**
 * Registers this project's kernels over (or beside) a backend's own, once per process. Called
 * when a backend is activated, before tfjs initialises it; model and loss code never see it.
 */
export function installKernels(backendName: string): void {
  if (installed.has(backendName)) return;
  INSTALLERS[backendName]?.();
  installed.add(backendName);
}

/**
 * Puts a backend's own kernels back where this project replaced them (`distill bench --stock-kernels`),
 * to measure what the replacements gain. Kernels the backend lacks stay (wasm would not train convnets).
 */
export function restoreStockKernels(backendName: string): string[] {
  const originals = replaced.get(backendName) ?? [];
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, backendName);
    tf.registerKernel(original);
  }
  replaced.delete(backendName);
  installed.delete(backendName);
  return originals.map((k) => k.kernelName);
}
