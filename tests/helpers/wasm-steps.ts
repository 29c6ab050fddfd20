// Run as a child process (a process's wasm build and thread count are fixed once it starts):
// two training steps of several models on `wasm` with --threads N, printed as JSON.
import { parseArgs } from 'node:util';
import { selectBackend } from '../../electron/engine/backend/select';
import { twoTrainingSteps } from './compare';

const { values } = parseArgs({ options: { threads: { type: 'string' } } });
const backend = await selectBackend('wasm', { threads: Number(values.threads) });
const cases: Array<[string, [number, number, number], number]> = [
  ['mlp-800x2', [28, 28, 1], 64],
  ['lenet5', [28, 28, 1], 16],
  ['vgg11@0.25', [32, 32, 3], 8],
  ['resnet20', [32, 32, 3], 4],
];
const results: Record<string, number[][]> = {};
for (const [model, shape, batch] of cases) {
  const [losses, kernel] = await twoTrainingSteps(model, shape, batch);
  // The MLP's first kernel has 627,200 weights: its first 4,096 and two sums over all of them.
  const weighted = kernel!.reduce((sum, w, i) => sum + w * ((i % 97) + 1), 0);
  results[model] = [Array.from(losses!), Array.from(kernel!.subarray(0, 4096)), [kernel!.reduce((sum, w) => sum + Math.abs(w), 0), weighted]];
}
process.stdout.write(JSON.stringify({ threads: backend.threads, results }) + '\n');
