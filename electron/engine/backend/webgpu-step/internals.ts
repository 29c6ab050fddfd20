import * as tf from '@tensorflow/tfjs';

/** tfjs-backend-webgpu's BufferManager, as far as capture and replay use it (private in its typings). */
export interface BufferManagerInternals {
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GPUBuffer;
  releaseBuffer(buffer: GPUBuffer, reuse?: boolean): void;
}

/** One entry of the backend's tensor map: values on the CPU until first used, then a GPU buffer. */
export interface TensorDataInternals {
  values: ArrayLike<number> | null;
  resource: GPUBuffer | GPUTexture | null;
  dtype: tf.DataType;
  shape: number[];
  /** Tensors sharing this data (clones). */
  refCount: number;
}

/**
 * The fields and methods of tfjs-backend-webgpu's backend that capture and replay touch. They are
 * private in its typings, so this is the one place that names them (tfjs 4.22).
 */
export interface WebGpuInternals {
  device: GPUDevice;
  queue: GPUQueue;
  bufferManager: BufferManagerInternals;
  tensorMap: { get(dataId: object): TensorDataInternals | undefined };
  commandEncoder: GPUCommandEncoder | null;
  submitQueue(): void;
  endComputePassEncoder(): void;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
}

/** The running backend's internals when it is tfjs-backend-webgpu, else null. */
export function webgpuInternals(): WebGpuInternals | null {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as WebGpuInternals) : null;
}

/** Submits what tfjs has encoded and not yet submitted, so that commands submitted next run after it. */
export function flushTfjs(backend: WebGpuInternals): void {
  backend.endComputePassEncoder();
  if (backend.commandEncoder) backend.submitQueue();
}

/** The GPU buffer behind a tensor, or null while its values are still on the CPU. */
export function bufferOf(backend: WebGpuInternals, tensor: tf.TensorInfo): GPUBuffer | null {
  const resource = backend.tensorMap.get(tensor.dataId)?.resource ?? null;
  return resource !== null && 'mapState' in resource ? resource : null;
}

/** Bytes a tensor takes in tfjs-webgpu's storage (every dtype it trains with is 4 bytes wide). */
export function storageBytes(tensor: tf.TensorInfo): number {
  return 4 * tf.util.sizeFromShape(tensor.shape);
}

/** A tensor's CPU values as tfjs-webgpu stores them on the device (bool as int32). */
export function deviceValues(data: TensorDataInternals): Float32Array | Int32Array {
  if (data.dtype === 'float32') return data.values instanceof Float32Array ? data.values : Float32Array.from(data.values!);
  return data.values instanceof Int32Array ? data.values : Int32Array.from(data.values!);
}

export const STORAGE_USAGE = 0x80 | 0x4 | 0x8; // GPUBufferUsage.STORAGE | COPY_SRC | COPY_DST, as tfjs-webgpu's tensors use
