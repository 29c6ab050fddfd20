import type * as tf from '@tensorflow/tfjs';

/** The part of tfjs-backend-wasm's backend that kernels written in JavaScript use: tensors live on the wasm heap. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}
