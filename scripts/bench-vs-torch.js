// Side by side on one machine: `distill bench` on a tfjs backend, with this project's kernels and
// with the backend's stock ones, eager and (on webgpu) as a compiled step, against PyTorch's training throughput for the same models
// (../shared/bench/torch_reference.py), printed as a Markdown table of ratios.
// Usage: node scripts/bench-vs-torch.js [--backend webgpu] [--batch N (all models)] [--torch PATH] [--steps 20]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webgpu' }, batch: { type: 'string' }, torch: { type: 'string', default: '../shared/bench/torch_reference.py' }, steps: { type: 'string', default: '20' } } });
const MODELS = [
  // [name in torch_reference.py, name in distill, input shape, batch (issue #5's table)]
  ['mlp', 'mlp-1200x2', '28x28x1', 256],
  ['vgg11', 'vgg11', '32x32x3', 128],
  ['resnet18', 'resnet18', '32x32x3', 256],
];
const jsonLines = (text) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const batchOf = (model) => Number(values.batch ?? model[3]);

function torchImgPerSec(model) {
  const run = spawnSync('python3', [values.torch, '--models', model[0], '--batch', String(batchOf(model))], { encoding: 'utf8' });
  if (run.status !== 0) console.error(`torch_reference.py failed for ${model[0]}:\n${run.stderr}`);
  return jsonLines(run.stdout ?? '').find((r) => r.backend === 'pytorch-fp32')?.img_per_s;
}

/** `distill bench`'s figures for one model: img/s and host ms per step, or why it failed. */
function distillBench(model, ...flags) {
  const args = ['bin/distill.js', 'bench', '--model', model[1], '--shape', model[2], '--batch-size', String(batchOf(model)), '--steps', values.steps, '--backend', values.backend, '--json', ...flags];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const line = jsonLines(run.stdout ?? '')[0];
  return line ? { imgPerSec: line.imgPerSec, host: line.hostMsPerStep } : { imgPerSec: `failed: ${(run.stderr ?? '').split('\n').find(Boolean)}`, host: '–' };
}

const ratio = (a, b) => (typeof a === 'number' && b ? (a / b).toFixed(3) : '–');
const compiled = values.backend === 'webgpu';
console.log(`| model | tfjs ${values.backend}, stock kernels | Distill Studio kernels, eager | ${compiled ? 'compiled step | ' : ''}PyTorch fp32 | ratio stock | ratio eager |${compiled ? ' ratio compiled | host ms eager → compiled |' : ''}`);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: |${compiled ? ' ---: | ---: | ---: |' : ''}`);
for (const model of MODELS) {
  const [stock, eager, replayed, torch] = [distillBench(model, '--stock-kernels'), distillBench(model), compiled ? distillBench(model, '--compiled') : null, torchImgPerSec(model)];
  const compiledCells = replayed ? ` ${replayed.imgPerSec} |` : '';
  const compiledRatios = replayed ? ` ${ratio(replayed.imgPerSec, torch)} | ${eager.host} → ${replayed.host} |` : '';
  console.log(`| ${model[1]} (${model[2]}, batch ${batchOf(model)}) | ${stock.imgPerSec} | ${eager.imgPerSec} |${compiledCells} ${torch?.toFixed?.(0) ?? '–'} | ${ratio(stock.imgPerSec, torch)} | ${ratio(eager.imgPerSec, torch)} |${compiledRatios}`);
}
