import * as tf from '@tensorflow/tfjs';
import { BufferGuard } from './buffer-guard';
import { bufferOf, deviceValues, flushTfjs, STORAGE_USAGE, storageBytes, type WebGpuInternals } from './internals';
import { signatureDifference, traceStep, type RecordedCommand } from './trace';

/** A training step as a function of its input tensors (images, labels, learning rate, teacher outputs). */
export type StepFunction = (inputs: tf.Tensor[]) => tf.Tensor[];

/** A variable the recorded step touches: read from `before`, written to `after` (the same when only read). */
interface VariableSlot {
  variable: tf.Variable;
  before: GPUBuffer;
  after: GPUBuffer;
  bytes: number;
}

interface OutputSlot {
  buffer: GPUBuffer;
  shape: number[];
  dtype: tf.DataType;
}

/** Variables reach the device before a step, so that their upload is never part of it. */
function uploadVariables(backend: WebGpuInternals): tf.Variable[] {
  const variables = Object.values(tf.engine().registeredVariables);
  for (const variable of variables) if (!variable.isDisposed) backend.uploadToGPU(variable.dataId);
  return variables;
}

/**
 * Runs one step eagerly and returns its signature: the probe that a recording is compared with.
 * Inputs are uploaded first, so that the signature holds only what the step itself does.
 */
export function probeStep(backend: WebGpuInternals, inputs: tf.Tensor[], run: StepFunction): { outputs: tf.Tensor[]; signature: string[]; unusable: string | null } {
  uploadVariables(backend);
  for (const input of inputs) backend.uploadToGPU(input.dataId);
  const { result, trace } = traceStep(backend, () => run(inputs), { recording: false });
  return { outputs: result, signature: trace.signature, unusable: trace.unusable };
}

/** A new tensor in a buffer of its own holding `source`'s values, filled in queue order. */
function ownedCopy(backend: WebGpuInternals, source: tf.Tensor): tf.Tensor {
  const info = backend.makeTensorInfo(source.shape, source.dtype);
  const buffer = backend.bufferManager.acquireBuffer(storageBytes(source), STORAGE_USAGE);
  fill(backend, buffer, source, null);
  backend.tensorMap.get(info.dataId)!.resource = buffer;
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Puts a tensor's values into `target`: written from the CPU, or copied on the device (by `encoder`, else tfjs's). */
function fill(backend: WebGpuInternals, target: GPUBuffer, source: tf.Tensor, encoder: GPUCommandEncoder | null): void {
  const data = backend.tensorMap.get(source.dataId)!;
  const resident = bufferOf(backend, source);
  if (resident) {
    if (!encoder) flushTfjs(backend);
    const commands = encoder ?? backend.device.createCommandEncoder();
    commands.copyBufferToBuffer(resident, 0, target, 0, storageBytes(source));
    if (!encoder) backend.queue.submit([commands.finish()]);
  } else {
    backend.queue.writeBuffer(target, 0, deviceValues(data));
  }
}

/**
 * A training step recorded once and replayed: each replay writes the step's inputs into fixed
 * buffers, encodes the recorded dispatches with the pipelines and bind groups made when it was
 * recorded into one command buffer, and submits once. tfjs's engine, autodiff and kernels do not
 * run; variables are updated in place (copied back to wherever tfjs keeps them).
 */
export class CompiledStep {
  constructor(
    private readonly backend: WebGpuInternals,
    readonly commands: RecordedCommand[],
    readonly signature: string[],
    private readonly inputs: Array<{ buffer: GPUBuffer; shape: number[]; dtype: tf.DataType }>,
    private readonly variables: VariableSlot[],
    private readonly outputs: OutputSlot[],
    private readonly held: GPUBuffer[],
  ) {}

  get dispatches(): number {
    return this.commands.filter((command) => command.kind === 'dispatch').length;
  }

  /**
   * Whether a replay would write into a buffer that a tfjs tensor other than its variable still
   * refers to. tfjs's clones share data: a clone of the weights taken after a replay (the trainer's
   * best weights) keeps the recording's buffer once the variable moves on, and a replay would
   * overwrite it. Such a recording must be dropped (and the step recorded again).
   */
  blocked(): boolean {
    const guard = BufferGuard.of(this.backend.bufferManager);
    return this.variables.some((slot) => {
      if (slot.after === slot.before) return false;
      const data = this.backend.tensorMap.get(slot.variable.dataId);
      const free = (buffer: GPUBuffer) => guard.isFreed(buffer) || (data !== undefined && data.resource === buffer && data.refCount === 1);
      return !free(slot.before) || !free(slot.after);
    });
  }

  /** Runs the step on new inputs (same shapes and dtypes as recorded); returns new output tensors. */
  replay(inputs: tf.Tensor[]): tf.Tensor[] {
    const { backend } = this;
    if (inputs.length !== this.inputs.length) throw new Error(`compiled step: ${inputs.length} inputs given, ${this.inputs.length} recorded`);
    flushTfjs(backend);
    const encoder = backend.device.createCommandEncoder();
    inputs.forEach((input, i) => {
      const slot = this.inputs[i]!;
      if (input.dtype !== slot.dtype || !tf.util.arraysEqual(input.shape, slot.shape)) {
        throw new Error(`compiled step: input ${i} is ${input.dtype}[${input.shape}], recorded as ${slot.dtype}[${slot.shape}]`);
      }
      fill(backend, slot.buffer, input, encoder);
    });
    // A variable tfjs has reassigned since (an eager step, restored weights) is copied in first.
    const current = this.variables.map((slot) => bufferOf(backend, slot.variable));
    this.variables.forEach((slot, i) => {
      const now = current[i];
      if (now && now !== slot.before) encoder.copyBufferToBuffer(now, 0, slot.before, 0, slot.bytes);
    });
    encodeCommands(encoder, this.commands);
    this.variables.forEach((slot, i) => {
      const now = current[i];
      if (now && slot.after !== slot.before && now !== slot.after) encoder.copyBufferToBuffer(slot.after, 0, now, 0, slot.bytes);
    });
    const results = this.outputs.map((output) => {
      const info = backend.makeTensorInfo(output.shape, output.dtype);
      const bytes = storageBytes(info);
      const buffer = backend.bufferManager.acquireBuffer(bytes, STORAGE_USAGE);
      encoder.copyBufferToBuffer(output.buffer, 0, buffer, 0, bytes);
      const tensor = tf.engine().makeTensorFromTensorInfo(info);
      backend.tensorMap.get(info.dataId)!.resource = buffer;
      return tensor;
    });
    backend.queue.submit([encoder.finish()]);
    this.realign(current);
    return results;
  }

  /**
   * After an eager step (a probe) tfjs keeps a variable in a buffer of its own, and each replay
   * copies it in and out. Once a replay has filled `after`, the variable is pointed back at it and
   * its buffer returned to the pool, so later replays copy once. Not when another tensor shares
   * the variable's data (a clone kept as the best weights): that one must not change.
   */
  private realign(current: Array<GPUBuffer | null>): void {
    const guard = BufferGuard.of(this.backend.bufferManager);
    this.variables.forEach((slot, i) => {
      const now = current[i];
      if (!now || slot.after === slot.before || now === slot.after) return;
      const data = this.backend.tensorMap.get(slot.variable.dataId);
      if (!data || data.refCount !== 1 || data.resource !== now || !guard.isFreed(slot.after)) return;
      data.resource = slot.after;
      guard.swapIn(slot.after, now);
    });
  }

  /** Lets tfjs's pool have the step's buffers back (those tfjs has freed). */
  dispose(): void {
    BufferGuard.of(this.backend.bufferManager).unhold(this.held);
    this.held.length = 0;
  }
}

/** Encodes recorded commands: dispatches in one compute pass, broken only by buffer copies. */
function encodeCommands(encoder: GPUCommandEncoder, commands: RecordedCommand[]): void {
  let pass: GPUComputePassEncoder | null = null;
  let pipeline: GPUComputePipeline | null = null;
  for (const command of commands) {
    if (command.kind === 'dispatch') {
      pass ??= encoder.beginComputePass();
      if (command.pipeline !== pipeline) pass.setPipeline((pipeline = command.pipeline));
      pass.setBindGroup(0, command.bindGroup);
      pass.dispatchWorkgroups(...command.workgroups);
    } else {
      pass?.end();
      [pass, pipeline] = [null, null];
      encoder.copyBufferToBuffer(command.source, command.sourceOffset, command.destination, command.destinationOffset, command.size);
    }
  }
  pass?.end();
}

/** A recording's result: the step's outputs, its signature, and the compiled step or why there is none. */
export type CaptureOutcome = { outputs: tf.Tensor[]; signature: string[] } & ({ step: CompiledStep; reason: null } | { step: null; reason: string });

/**
 * Runs one step eagerly while recording it, and makes a CompiledStep of it when its signature
 * equals `expected` (a probe's: the step before it). Every buffer the recording needs is new and
 * kept from tfjs's pool for the compiled step's life. The step's own outputs are returned either way.
 */
export function captureStep(backend: WebGpuInternals, inputs: tf.Tensor[], run: StepFunction, expected: string[]): CaptureOutcome {
  const guard = BufferGuard.of(backend.bufferManager);
  const variables = uploadVariables(backend);
  const before = new Map(variables.map((v) => [v, { dataId: v.dataId, buffer: bufferOf(backend, v) }]));
  const substitutes = guard.withFreshBuffers(() => inputs.map((input) => ownedCopy(backend, input)));
  let traced: ReturnType<typeof traceStep<tf.Tensor[]>>;
  try {
    traced = guard.withFreshBuffers(() => traceStep(backend, () => run(substitutes), { recording: true }));
  } catch (error) {
    guard.settle();
    tf.dispose(substitutes);
    throw error;
  }
  const { result, trace } = traced;

  let reason = trace.unusable ?? signatureDifference(expected, trace.signature);
  const slots: VariableSlot[] = [];
  for (const variable of Object.values(tf.engine().registeredVariables)) {
    const was = before.get(variable);
    if (!was) {
      reason ??= `the step creates variable ${variable.name}`;
      continue;
    }
    const after = bufferOf(backend, variable);
    if (!was.buffer || !after) {
      if (trace.buffers.has(was.buffer!) || was.dataId !== variable.dataId) reason ??= `variable ${variable.name} is not on the device`;
      continue;
    }
    if (trace.buffers.has(was.buffer) || trace.buffers.has(after)) slots.push({ variable, before: was.buffer, after, bytes: storageBytes(variable) });
  }
  const outputs: OutputSlot[] = [];
  for (const output of result) {
    const buffer = bufferOf(backend, output);
    if (buffer) outputs.push({ buffer, shape: output.shape, dtype: output.dtype });
    else reason ??= 'an output of the step is computed on the CPU';
  }
  const inputSlots = substitutes.map((s) => ({ buffer: bufferOf(backend, s)!, shape: s.shape, dtype: s.dtype }));
  const held = reason === null ? [...new Set([...trace.buffers, ...inputSlots.map((s) => s.buffer), ...slots.flatMap((s) => [s.before, s.after]), ...outputs.map((o) => o.buffer)])] : [];
  guard.hold(held);
  guard.settle();
  tf.dispose(substitutes);
  const { signature } = trace;
  if (reason !== null) return { outputs: result, signature, step: null, reason };
  return { outputs: result, signature, step: new CompiledStep(backend, trace.commands, signature, inputSlots, slots, outputs, held), reason: null };
}
