import * as tf from '@tensorflow/tfjs';
import { cpuAxpbyConfig, webgpuAxpbyConfig } from './axpby-kernels';
import { installBatchNormGradient, restoreBatchNormGradient } from './batch-norm-grad';
import { registeredKernel } from './compose';
import { wasmBatchNormConfig } from './wasm-batch-norm';
import { wasmFilterGradConfig, wasmInputGradConfig, type WasmConvKernels } from './wasm-conv-grads';
import { wasmDepthwiseFilterGradConfig, wasmDepthwiseInputGradConfig } from './wasm-depthwise-grads';
import { wasmUntransposedMatMulConfig } from './wasm-mat-mul';
import { wasmMaxPoolGradConfig } from './wasm-max-pool-grad';
import { wasmSliceConfig } from './wasm-heap-copies';
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
  // tfjs runs a kernel's setup (tfjs-wasm binds its C function there) when the backend starts,
  // for the kernels registered then: keep the original's, which replacements fall back to.
  const setups = [original?.setupFunc, config.setupFunc].filter((f) => f != null);
  tf.registerKernel(setups.length === 0 ? config : { ...config, setupFunc: (backend) => setups.forEach((setup) => setup(backend)) });
}

/** Kernels the backends lack, such as a·x + b·y (`axpby`); without them the op composes tfjs's own. */
const added = new Map<string, string[]>();

function addKernel(config: tf.KernelConfig): void {
  tf.registerKernel(config);
  added.set(config.backendName, [...(added.get(config.backendName) ?? []), config.kernelName]);
}

/**
 * wasm: fast transposed matrix products, convolution gradients through XNNPACK (so it trains
 * convnets), batch norm as one XNNPACK pass, and the max-pool gradient in one pass.
 */
function installWasmKernels(): void {
  const transpose = registeredKernel(tf.Transpose, 'wasm');
  const matMul = registeredKernel(tf.BatchMatMul, 'wasm');
  const fastSlice = wasmSliceConfig(registeredKernel(tf.Slice, 'wasm'));
  replaceKernel(fastSlice);
  replaceKernel(wasmUntransposedMatMulConfig(matMul, transpose));
  replaceKernel(wasmUntransposedMatMulConfig(registeredKernel(tf._FusedMatMul, 'wasm'), transpose));
  const conv: WasmConvKernels = {
    conv2d: registeredKernel(tf.Conv2D, 'wasm'),
    depthwise: registeredKernel(tf.DepthwiseConv2dNative, 'wasm'),
    sum: registeredKernel(tf.Sum, 'wasm'),
    pad: registeredKernel(tf.PadV2, 'wasm'),
    reshape: registeredKernel(tf.Reshape, 'wasm'),
    slice: fastSlice,
    transpose,
    matMul,
  };
  replaceKernel(wasmFilterGradConfig(conv));
  replaceKernel(wasmInputGradConfig(conv, registeredKernel(tf.Conv2DBackpropInput, 'wasm')));
  replaceKernel(wasmDepthwiseFilterGradConfig(conv));
  replaceKernel(wasmDepthwiseInputGradConfig(conv));
  replaceKernel(wasmBatchNormConfig(registeredKernel(tf.FusedDepthwiseConv2D, 'wasm'), registeredKernel(tf.FusedBatchNorm, 'wasm')));
  replaceKernel(wasmMaxPoolGradConfig(registeredKernel(tf.MaxPoolGrad, 'wasm')));
}

/**
 * webgpu: an implicit-GEMM, split-K filter gradient in place of tfjs's one-thread-per-weight loop,
 * and a·x + b·y in one dispatch (optimizer steps, moving averages).
 */
function installWebGpuKernels(): void {
  replaceKernel(webgpuFilterGradConfig(registeredKernel(tf.Reshape, 'webgpu')));
  addKernel(webgpuAxpbyConfig);
}

const INSTALLERS: Partial<Record<string, () => void>> = {
  wasm: installWasmKernels,
  webgpu: installWebGpuKernels,
  cpu: () => addKernel(cpuAxpbyConfig),
};

/**
 * Registers this project's kernels over (or beside) a backend's own, once per process, and its
 * gradients. Called when a backend is activated, before tfjs initialises it; model and loss code
 * never see it.
 */
export function installKernels(backendName: string): void {
  // Gradients belong to no backend: installed once, for all (a second call does nothing).
  installBatchNormGradient();
  if (installed.has(backendName)) return;
  INSTALLERS[backendName]?.();
  installed.add(backendName);
}

/**
 * Puts a backend's own kernels, and tfjs's gradients, back where this project replaced them
 * (`distill bench --stock-kernels`), to measure what the replacements gain, and drops the kernels
 * it added (their ops compose tfjs's own again). Replacements for kernels the backend lacks stay
 * (wasm would not train convnets).
 */
export function restoreStockKernels(backendName: string): string[] {
  restoreBatchNormGradient();
  const originals = replaced.get(backendName) ?? [];
  for (const original of originals) {
    tf.unregisterKernel(original.kernelName, backendName);
    tf.registerKernel(original);
  }
  replaced.delete(backendName);
  const extra = added.get(backendName) ?? [];
  for (const name of extra) tf.unregisterKernel(name, backendName);
  added.delete(backendName);
  installed.delete(backendName);
  return [...originals.map((k) => k.kernelName), ...extra, 'FusedBatchNorm gradient'];
}
