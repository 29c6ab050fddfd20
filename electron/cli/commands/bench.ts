import { BackendRequestSchema } from '../../contract/run-config';
import { restoreStockKernels } from '../../engine/backend/kernels/install';
import { selectBackend } from '../../engine/backend/select';
import { benchTraining } from '../../engine/bench';
import { findFamily } from '../../engine/models/registry';
import { DistillInputError } from '../../engine/errors';
import { choiceFlag, integerFlag, parseFlags, shapeFlag } from '../args';

export const BENCH_USAGE = 'distill bench [--model NAME[,NAME…]] [--batch-size B] [--steps N] [--shape HxWxC] [--classes K] [--backend auto|cpu|wasm|webgpu|tensorflow] [--stock-kernels] [--json]';

/** A benchmark, not a test: training images per second for each model on one backend. */
export async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    model: { type: 'string' },
    'batch-size': { type: 'string' },
    steps: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    'stock-kernels': { type: 'boolean' },
    shape: { type: 'string' },
    classes: { type: 'string' },
  });
  const inputShape = shapeFlag(values.shape) ?? [28, 28, 1];
  const classes = integerFlag('classes', values.classes) ?? 10;
  const models = (values.model ?? 'mlp-1200x2').split(',').filter(Boolean);
  for (const name of models) if (!findFamily(name)) throw new DistillInputError(`unknown model "${name}"`);
  const batchSize = integerFlag('batch-size', values['batch-size']) ?? 256;
  const steps = integerFlag('steps', values.steps) ?? 10;
  if (batchSize < 1 || steps < 1) throw new DistillInputError('--batch-size and --steps must be at least 1');
  const request = choiceFlag('backend', values.backend, BackendRequestSchema.options) ?? 'auto';
  const backend = await selectBackend(request);
  // The backend's own kernels where this project replaces them, to measure what the replacements gain.
  const restored = values['stock-kernels'] ? restoreStockKernels(backend.name) : [];
  if (!values.json) process.stdout.write(`backend ${backend.name} on ${backend.device} (${backend.reason})${restored.length ? `; stock ${restored.join(', ')}` : ''}\n`);
  for (const model of models) {
    const { imgPerSec, params } = await benchTraining({ model, batchSize, steps, inputShape, classes });
    const line = { model, backend: backend.name, kernels: values['stock-kernels'] ? 'stock' : 'distill', batchSize, imgPerSec: Math.round(imgPerSec * 10) / 10 };
    process.stdout.write(values.json ? JSON.stringify(line) + '\n' : `${model} (${params.toLocaleString('en-US')} params), batch ${batchSize}: ${line.imgPerSec} img/s\n`);
  }
  return 0;
}
