import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * Copies on tfjs-backend-wasm done as memmoves inside the wasm heap. tfjs-wasm's Slice first
 * copies the whole input out of the heap, then copies each innermost row with a new subarray
 * (5.8 ms for a 32×16×16×64 window of a 32×18×18×64 tensor); its Reverse took 9 ms for a 3×3×128×128
 * filter. The convolution gradients use both on every call.
 */

/** The heap under a tensor, as bytes, and where the tensor starts in it. */
function heapBytes(heap: WasmHeapBackend, info: tf.TensorInfo): { bytes: Uint8Array; offset: number } {
  const view = heap.typedArrayFromHeap(info);
  return { bytes: new Uint8Array(view.buffer), offset: view.byteOffset };
}

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Slice for any rank and numeric dtype: trailing dimensions taken whole merge into one run, each run one copyWithin. */
export function wasmSliceConfig(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { inputs, backend, attrs } = args;
      const { x } = inputs as tf.SliceInputs;
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const element = BYTES[x!.dtype];
      if (element === undefined || x!.shape.length === 0) return original.kernelFunc(args);
      const [start, extent] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, begin, size) as [number[], number[]];
      const heap = backend as WasmHeapBackend;
      const out = heap.makeOutput(extent, x!.dtype as 'float32');
      if (tf.util.sizeFromShape(extent) === 0) return out;
      // Views after the allocation: allocating may grow, and detach, the heap.
      const source = heapBytes(heap, x!);
      const target = heapBytes(heap, out);
      copyWindow(source.bytes, source.offset, target.offset, x!.shape, start, extent, element);
      return out;
    },
  };
}

/** Copies the window `start`/`extent` of a row-major tensor at `from` to a packed one at `to`, same heap. */
export function copyWindow(bytes: Uint8Array, from: number, to: number, shape: number[], start: number[], extent: number[], element: number): void {
  // The innermost run: trailing axes that are taken whole, and the first one that is not.
  let axis = shape.length - 1;
  let run = extent[axis]!;
  while (axis > 0 && extent[axis] === shape[axis]) {
    axis--;
    run *= extent[axis]!;
  }
  const strides = tf.util.computeStrides(shape);
  const stride = (i: number) => (i === shape.length - 1 ? 1 : strides[i]!);
  const base = start.reduce((sum, s, i) => sum + s * stride(i), 0);
  const runBytes = run * element;
  const outer = extent.slice(0, axis);
  const count = outer.reduce((a, b) => a * b, 1);
  const index = outer.map(() => 0);
  for (let r = 0; r < count; r++) {
    let offset = base;
    for (let i = 0; i < index.length; i++) offset += index[i]! * stride(i);
    const source = from + offset * element;
    bytes.copyWithin(to + r * runBytes, source, source + runBytes);
    for (let i = index.length - 1; i >= 0; i--) {
      if (++index[i]! < outer[i]!) break;
      index[i] = 0;
    }
  }
}

/**
 * A [kh, kw, a, b] filter turned 180° in its two spatial axes, and with `swap` its channel axes
 * exchanged too ([kh, kw, b, a]): what an input gradient as a forward convolution needs. One pass.
 */
export function turnedFilter(heap: WasmHeapBackend, filter: tf.TensorInfo, swap: boolean): tf.TensorInfo {
  const [kh, kw, a, b] = filter.shape as [number, number, number, number];
  const out = heap.makeOutput(swap ? [kh, kw, b, a] : [kh, kw, a, b], 'float32');
  const w = heap.typedArrayFromHeap(filter);
  const turned = heap.typedArrayFromHeap(out);
  const tap = a * b;
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const source = (i * kw + j) * tap;
      const target = ((kh - 1 - i) * kw + (kw - 1 - j)) * tap;
      if (!swap) {
        turned.set(w.subarray(source, source + tap), target);
        continue;
      }
      for (let p = 0; p < a; p++) for (let q = 0; q < b; q++) turned[target + q * a + p] = w[source + p * b + q]!;
    }
  }
  return out;
}
