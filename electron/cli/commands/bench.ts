import { BACKEND_IDS } from '../../contract/catalogue';
import { benchTraining, DistillInputError, findFamily, profileTrainingStep, restoreStockKernels, selectBackend, useTfjsLayerCode, type StepProfile } from '../../engine';
import { choiceFlag, integerFlag, parseFlags, shapeFlag, threadsFlag } from '../args';
import { formatBackendDevice, formatStepMode } from '../../contract/display';
import { table } from '../table';

export const BENCH_USAGE = `distill bench [--model NAME[,NAME…]] [--batch-size B] [--steps N] [--shape HxWxC] [--classes K] [--backend ${BACKEND_IDS.join('|')}] [--threads N] [--stock-kernels] [--compiled] [--profile] [--json]`;

/** A benchmark, not a test: training images per second for each model on one backend. */
export async function benchCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    model: { type: 'string' },
    'batch-size': { type: 'string' },
    steps: { type: 'string' },
    backend: { type: 'string' },
    json: { type: 'boolean' },
    'stock-kernels': { type: 'boolean' },
    profile: { type: 'boolean' },
    compiled: { type: 'boolean' },
    shape: { type: 'string' },
    classes: { type: 'string' },
    threads: { type: 'string' },
  });
  const inputShape = shapeFlag(values.shape) ?? [28, 28, 1];
  const classes = integerFlag('classes', values.classes) ?? 10;
  const models = (values.model ?? 'mlp-1200x2').split(',').filter(Boolean);
  for (const name of models) if (!findFamily(name)) throw new DistillInputError(`unknown model "${name}"`);
  const batchSize = integerFlag('batch-size', values['batch-size']) ?? 256;
  const steps = integerFlag('steps', values.steps) ?? 10;
  if (batchSize < 1 || steps < 1) throw new DistillInputError('--batch-size and --steps must be at least 1');
  const request = choiceFlag('backend', values.backend, BACKEND_IDS) ?? 'auto';
  const threads = threadsFlag(values.threads);
  const backend = await selectBackend(request, { threads });
  // tfjs's own kernels and code where this project replaces them, to measure what the replacements gain.
  const restored = values['stock-kernels'] ? restoreStockKernels(backend.name) : [];
  if (values['stock-kernels']) restored.push(...useTfjsLayerCode());
  if (!values.json) process.stdout.write(`backend ${backend.name} on ${formatBackendDevice(backend)} (${backend.reason})${restored.length ? `; stock ${restored.join(', ')}` : ''}\n`);
  const kernels = values['stock-kernels'] ? 'stock' : 'distill';
  for (const model of models) {
    if (values.profile) {
      const profile = await profileTrainingStep({ model, batchSize, inputShape, classes });
      const line = { model, backend: backend.name, kernels, batchSize, ...profile };
      process.stdout.write(values.json ? JSON.stringify(line) + '\n' : formatProfile(model, batchSize, profile));
      continue;
    }
    const { imgPerSec, params, hostMsPerStep, mode } = await benchTraining({ model, batchSize, steps, inputShape, classes, compiled: values.compiled ?? false });
    const step = mode?.compiled ? 'compiled' : 'eager';
    const line = { model, backend: backend.name, threads: backend.threads, kernels, step, batchSize, imgPerSec: round(imgPerSec, 1), hostMsPerStep: round(hostMsPerStep, 2), ...(mode ? { stepNote: mode.note } : {}) };
    const host = `host ${line.hostMsPerStep} ms of ${round((1000 * batchSize) / imgPerSec, 2)} ms per step`;
    const how = mode ? `; ${formatStepMode(mode)}` : '';
    process.stdout.write(values.json ? JSON.stringify(line) + '\n' : `${model} (${params.toLocaleString('en-US')} params), batch ${batchSize}: ${line.imgPerSec} img/s (${host}${how})\n`);
  }
  return 0;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

function formatProfile(model: string, batchSize: number, profile: StepProfile): string {
  const rows = profile.rows.map((row) => [row.kernel, String(row.calls), row.ms.toFixed(3), `${(row.share * 100).toFixed(1)}%`]);
  const dispatches = profile.dispatchesPerStep === undefined ? '' : ` (${profile.dispatchesPerStep} dispatches)`;
  const title = `${model}, batch ${batchSize}: one training step, ${profile.kernelsPerStep} kernels${dispatches}, ${profile.kernelMs.toFixed(2)} ms of kernel time`;
  return `${title}\n${table(['kernel', 'calls', 'ms', 'share'], rows)}\n`;
}
