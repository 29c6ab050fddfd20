import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EpochEndEventSchema, ModelReportSchema, type EpochEndEvent } from '../../contract/events';

/** Where a phase stands at the end of an epoch: enough to go on as if it had never stopped. */
export interface PhaseState {
  /** Epochs completed. */
  epoch: number;
  /** The phase's data-order and augmentation generator. */
  rngState: number;
  history: EpochEndEvent[];
  /**
   * How the model started (weight selection, through its steps): its weights came from there, so
   * a resumed phase reports this instead of selecting again. Written by the phase, not the trainer.
   */
  initDetail?: string;
}

export interface PhaseCheckpoint extends PhaseState {
  /** Every weight of the model, batch-norm moving statistics included, in `model.getWeights()` order. */
  modelWeights: tf.Tensor[];
  /** The optimizer's state (`optimizer.getWeights()`): iterations and momenta. */
  optimizerWeights: Array<{ name: string; tensor: tf.Tensor }>;
  /** Trainables beyond the model's (a FitNets regressor). */
  extraWeights: tf.Tensor[];
}

const TensorSpec = z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.enum(['float32', 'int32']) });
const StateFileSchema = z.object({
  epoch: z.number().int(),
  rngState: z.number().int(),
  history: z.array(EpochEndEventSchema),
  initDetail: z.string().optional(),
  model: z.array(TensorSpec),
  optimizer: z.array(TensorSpec),
  extras: z.array(TensorSpec),
});
const DoneFileSchema = z.object({ report: ModelReportSchema, seconds: z.number(), description: z.string(), valAccuracy: z.number().optional(), initDetail: z.string().optional() });
export type PhaseDone = z.infer<typeof DoneFileSchema>;

/** A lane key (`teacher`, `student`, `init+kd`) as a folder name. */
const folderName = (key: string) => key.replace(/[^\w-]/g, '-');

/**
 * Per-phase checkpoints of a run, under `<run>/checkpoints/`: one folder per phase holding
 * `state.json` and `tensors.bin`, replaced atomically at the end of every epoch (written beside,
 * then renamed over), and a `<phase>.done.json` once the phase's model is saved.
 */
export class RunCheckpoints {
  readonly dir: string;

  constructor(runDir: string) {
    this.dir = join(runDir, 'checkpoints');
  }

  async save(key: string, parts: { model: tf.LayersModel; optimizer: tf.Optimizer; extraVariables: tf.Variable[]; state: PhaseState }): Promise<void> {
    const optimizerWeights = await parts.optimizer.getWeights();
    const named = [
      ...parts.model.getWeights().map((tensor, i) => ({ group: 'model' as const, name: `w${i}`, tensor })),
      ...optimizerWeights.map(({ name, tensor }) => ({ group: 'optimizer' as const, name, tensor })),
      ...parts.extraVariables.map((tensor, i) => ({ group: 'extras' as const, name: `x${i}`, tensor })),
    ];
    const chunks: Uint8Array[] = [];
    const specs: Record<'model' | 'optimizer' | 'extras', Array<z.infer<typeof TensorSpec>>> = { model: [], optimizer: [], extras: [] };
    for (const { group, name, tensor } of named) {
      const data = await tensor.data();
      chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice());
      specs[group].push({ name, shape: tensor.shape, dtype: tensor.dtype === 'int32' ? 'int32' : 'float32' });
    }
    // getWeights makes a new scalar for the iteration count; the rest are the optimizer's own variables.
    tf.dispose(optimizerWeights.map((w) => w.tensor).filter((tensor) => !(tensor instanceof tf.Variable)));
    const target = join(this.dir, folderName(key));
    const fresh = `${target}.new`;
    await rm(fresh, { recursive: true, force: true });
    try {
      await mkdir(fresh, { recursive: true });
      await writeFile(join(fresh, 'tensors.bin'), Buffer.concat(chunks));
      await writeFile(join(fresh, 'state.json'), JSON.stringify({ ...parts.state, ...specs }));
    } catch (error) {
      await rm(fresh, { recursive: true, force: true });
      throw error;
    }
    // Swap: the old checkpoint stays until the new one is complete.
    const old = `${target}.old`;
    await rm(old, { recursive: true, force: true });
    if (await stat(target).catch(() => null)) await rename(target, old);
    await rename(fresh, target);
    await rm(old, { recursive: true, force: true });
  }

  /** The last complete checkpoint of a phase, or null. */
  async load(key: string): Promise<PhaseCheckpoint | null> {
    const target = join(this.dir, folderName(key));
    for (const dir of [target, `${target}.old`]) {
      const [stateText, bytes] = await Promise.all([readFile(join(dir, 'state.json'), 'utf8').catch(() => null), readFile(join(dir, 'tensors.bin')).catch(() => null)]);
      if (stateText === null || bytes === null) continue;
      const state = StateFileSchema.safeParse(JSON.parse(stateText));
      if (!state.success) continue;
      let offset = 0;
      const take = (spec: z.infer<typeof TensorSpec>) => {
        const count = spec.shape.reduce((a, b) => a * b, 1);
        const copy = new Uint8Array(bytes.subarray(offset, offset + count * 4));
        offset += count * 4;
        const values = spec.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
        return tf.tensor(values, spec.shape, spec.dtype);
      };
      const expected = [...state.data.model, ...state.data.optimizer, ...state.data.extras].reduce((n, spec) => n + spec.shape.reduce((a, b) => a * b, 1) * 4, 0);
      if (expected !== bytes.length) continue;
      return {
        epoch: state.data.epoch,
        rngState: state.data.rngState,
        history: state.data.history,
        ...(state.data.initDetail === undefined ? {} : { initDetail: state.data.initDetail }),
        modelWeights: state.data.model.map(take),
        optimizerWeights: state.data.optimizer.map((spec) => ({ name: spec.name, tensor: take(spec) })),
        extraWeights: state.data.extras.map(take),
      };
    }
    return null;
  }

  /** Records a finished phase (its model is saved in the run folder); its checkpoint is no longer needed. */
  async markDone(key: string, done: PhaseDone): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${folderName(key)}.done.json.tmp`), JSON.stringify(done));
    await rename(join(this.dir, `${folderName(key)}.done.json.tmp`), join(this.dir, `${folderName(key)}.done.json`));
    await rm(join(this.dir, folderName(key)), { recursive: true, force: true });
  }

  async done(key: string): Promise<PhaseDone | null> {
    const text = await readFile(join(this.dir, `${folderName(key)}.done.json`), 'utf8').catch(() => null);
    if (text === null) return null;
    const parsed = DoneFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  }

  /** Epochs a phase has behind it: all when done, the checkpoint's when there is one, else none. */
  async epochsDone(key: string): Promise<number> {
    if (await this.done(key)) return Infinity;
    const target = join(this.dir, folderName(key));
    for (const dir of [target, `${target}.old`]) {
      const text = await readFile(join(dir, 'state.json'), 'utf8').catch(() => null);
      const epoch = text === null ? undefined : (JSON.parse(text) as { epoch?: unknown }).epoch;
      if (typeof epoch === 'number') return epoch;
    }
    return 0;
  }

  /** Checkpoints are for resuming: a completed run does not need them. */
  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

