import type { WebGpuInternals } from './internals';
import { flushTfjs } from './internals';

/** One command of a training step as it reached the device. */
export type RecordedCommand =
  | { kind: 'dispatch'; pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: [number, number, number] }
  | { kind: 'copy'; source: GPUBuffer; sourceOffset: number; destination: GPUBuffer; destinationOffset: number; size: number };

export interface StepTrace {
  commands: RecordedCommand[];
  /**
   * What two steps must share for a recording of one to stand for the other: pipelines, dispatch
   * sizes, buffer sizes, uniform contents, and the constants uploaded from the CPU.
   */
  signature: string[];
  /** Every buffer a command reads or writes. */
  buffers: Set<GPUBuffer>;
  /** Why this step cannot be replayed (a read-back, a texture, an indirect dispatch), or null. */
  unusable: string | null;
}

const ids = new WeakMap<object, number>();
let nextId = 1;
/** A stable small number per pipeline, for signatures. */
function idOf(object: object): number {
  let id = ids.get(object);
  if (id === undefined) ids.set(object, (id = nextId++));
  return id;
}

/** FNV-1a over bytes: tells constants apart in a signature without keeping them. */
function hashBytes(bytes: Uint8Array): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return (hash >>> 0).toString(16);
}

function bytesOf(data: ArrayBufferView | ArrayBuffer | ArrayLike<number>, offset = 0, size?: number): Uint8Array {
  if (ArrayBuffer.isView(data)) {
    const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // writeBuffer's offset and size count elements of a typed array, bytes of an ArrayBuffer.
    const scale = data instanceof DataView ? 1 : (data as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    return view.subarray(offset * scale, size === undefined ? undefined : (offset + size) * scale);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data, offset, size);
  return new Uint8Array(Float32Array.from(data as ArrayLike<number>).buffer);
}

/** Sets `key` on `target` as an own property for the trace; returns how to take it off again. */
function override<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): () => void {
  const own = Object.prototype.hasOwnProperty.call(target, key);
  const before = target[key];
  target[key] = value;
  return () => {
    if (own) target[key] = before;
    else delete target[key];
  };
}

/**
 * Runs one training step eagerly through tfjs on webgpu and records what it does on the device:
 * each dispatch with its pipeline, bind group and size, each buffer copy, and a signature of the
 * step. Nothing is changed in how the step runs; what cannot be replayed (a read-back to the
 * CPU, a texture) is noted in `unusable` and the step finishes normally.
 */
export function traceStep<T>(backend: WebGpuInternals, run: () => T, { recording }: { recording: boolean }): { result: T; trace: StepTrace } {
  flushTfjs(backend);
  const trace: StepTrace = { commands: [], signature: [], buffers: new Set(), unusable: null };
  const refuse = (why: string) => void (trace.unusable ??= why);
  const bindGroupBuffers = new WeakMap<GPUBindGroup, GPUBuffer[]>();
  const written = new Map<GPUBuffer, string>();
  const { device, queue } = backend;
  const restore: Array<() => void> = [];

  const createBindGroup = device.createBindGroup;
  restore.push(
    override(device, 'createBindGroup', (descriptor: GPUBindGroupDescriptor) => {
      const group = createBindGroup.call(device, descriptor);
      const buffers: GPUBuffer[] = [];
      for (const entry of descriptor.entries) {
        const resource = entry.resource as { buffer?: GPUBuffer };
        if (resource && typeof resource === 'object' && 'buffer' in resource && resource.buffer) buffers.push(resource.buffer);
        else refuse('a kernel binds a texture or sampler');
      }
      bindGroupBuffers.set(group, buffers);
      return group;
    }),
  );
  const writeBuffer = queue.writeBuffer;
  restore.push(
    override(queue, 'writeBuffer', ((buffer: GPUBuffer, bufferOffset: number, data: BufferSource, dataOffset?: number, size?: number) => {
      // tfjs's pool reuses uniform buffers within a step; a recording has a buffer for each.
      if (recording && written.has(buffer)) refuse('a buffer is written twice in one step');
      written.set(buffer, hashBytes(bytesOf(data, dataOffset, size)) + `@${bufferOffset}`);
      return writeBuffer.call(queue, buffer, bufferOffset, data, dataOffset, size);
    }) as GPUQueue['writeBuffer']),
  );
  const createCommandEncoder = device.createCommandEncoder;
  restore.push(
    override(device, 'createCommandEncoder', (descriptor?: GPUCommandEncoderDescriptor) => {
      const encoder = createCommandEncoder.call(device, descriptor);
      const copy = encoder.copyBufferToBuffer;
      encoder.copyBufferToBuffer = ((source: GPUBuffer, sourceOffset: number, destination: GPUBuffer, destinationOffset: number, size: number) => {
        // tfjs uploads into a pooled buffer through a staging copy: part of an upload, which the
        // signature has already; a recording's buffers are new and mapped at creation instead.
        if (source.usage & GPUBufferUsage.MAP_WRITE) {
          if (recording) refuse('an upload goes through a staging buffer');
          return copy.call(encoder, source, sourceOffset, destination, destinationOffset, size);
        }
        trace.commands.push({ kind: 'copy', source, sourceOffset, destination, destinationOffset, size });
        trace.signature.push(`copy ${source.size}:${sourceOffset} → ${destination.size}:${destinationOffset} ${size}`);
        trace.buffers.add(source).add(destination);
        return copy.call(encoder, source, sourceOffset, destination, destinationOffset, size);
      }) as GPUCommandEncoder['copyBufferToBuffer'];
      const beginComputePass = encoder.beginComputePass;
      encoder.beginComputePass = (passDescriptor?: GPUComputePassDescriptor) => {
        if (passDescriptor?.timestampWrites) refuse('the step is being profiled');
        const pass = beginComputePass.call(encoder, passDescriptor);
        let pipeline: GPUComputePipeline | null = null;
        let group: GPUBindGroup | null = null;
        const setPipeline = pass.setPipeline;
        pass.setPipeline = (p: GPUComputePipeline) => {
          pipeline = p;
          return setPipeline.call(pass, p);
        };
        const setBindGroup = pass.setBindGroup;
        pass.setBindGroup = ((index: number, g: GPUBindGroup | null, ...rest: unknown[]) => {
          if (index !== 0 || rest.length > 0 && (rest[0] as ArrayLike<number>).length > 0) refuse('a kernel uses a second bind group or dynamic offsets');
          group = g;
          return (setBindGroup as (...args: unknown[]) => void).call(pass, index, g, ...rest);
        }) as GPUComputePassEncoder['setBindGroup'];
        const dispatch = pass.dispatchWorkgroups;
        pass.dispatchWorkgroups = (x: number, y = 1, z = 1) => {
          const buffers = group ? bindGroupBuffers.get(group) : undefined;
          if (!pipeline || !group || !buffers) refuse('a dispatch uses objects made before the step');
          else {
            trace.commands.push({ kind: 'dispatch', pipeline, bindGroup: group, workgroups: [x, y, z] });
            const uniforms = buffers.map((b) => written.get(b) ?? '').join(',');
            trace.signature.push(`dispatch ${idOf(pipeline)} ${x}×${y}×${z} [${buffers.map((b) => b.size).join(',')}] ${uniforms}`);
            for (const buffer of buffers) trace.buffers.add(buffer);
          }
          return dispatch.call(pass, x, y, z);
        };
        pass.dispatchWorkgroupsIndirect = () => refuse('an indirect dispatch');
        return pass;
      };
      return encoder;
    }),
  );
  const uploadToGPU = backend.uploadToGPU;
  restore.push(
    override(backend, 'uploadToGPU', (dataId: object) => {
      const data = backend.tensorMap.get(dataId);
      // Values created on the CPU during the step (constants, or random masks: the signatures of two steps tell which).
      if (data && data.resource == null && data.values) trace.signature.push(`upload ${data.dtype}[${data.shape.join('×')}] ${hashBytes(bytesOf(data.values as unknown as ArrayBufferView))}`);
      return uploadToGPU.call(backend, dataId);
    }),
  );
  for (const method of ['readSync', 'read'] as const) {
    const original = backend[method] as (dataId: object) => unknown;
    restore.push(
      override(backend, method, ((dataId: object) => {
        refuse('the step reads a tensor back to the CPU');
        return original.call(backend, dataId);
      }) as WebGpuInternals[typeof method]),
    );
  }
  try {
    const result = run();
    flushTfjs(backend);
    return { result, trace };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}

/** The first place two signatures part, in words, or null when they are the same. */
export function signatureDifference(a: string[], b: string[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const what = (s: string | undefined) => s?.split(' ')[0] ?? 'nothing';
    if (a.length !== b.length) return `the step runs ${a.length} commands once and ${b.length} the next time`;
    return what(a[i]) === 'upload'
      ? `values made on the CPU change from one step to the next (command ${i + 1}: random numbers such as dropout masks, or a constant that follows the step)`
      : `command ${i + 1} (${what(a[i])}) changes from one step to the next (a kernel's constants follow the step, as in a warm-up)`;
  }
  return null;
}
