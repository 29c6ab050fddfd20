// Side by side on one machine: `distill bench` on a tfjs backend, with this project's kernels and
// with the backend's stock ones, against PyTorch's training throughput for the same models
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

function distillImgPerSec(model, stock) {
  const args = ['bin/distill.js', 'bench', '--model', model[1], '--shape', model[2], '--batch-size', String(batchOf(model)), '--steps', values.steps, '--backend', values.backend, '--json'];
  const run = spawnSync(process.execPath, stock ? [...args, '--stock-kernels'] : args, { encoding: 'utf8' });
  return jsonLines(run.stdout ?? '')[0]?.imgPerSec ?? `failed: ${(run.stderr ?? '').split('\n').find(Boolean)}`;
}

const ratio = (a, b) => (typeof a === 'number' && b ? (a / b).toFixed(3) : '–');
console.log(`| model | tfjs ${values.backend}, stock kernels | tfjs ${values.backend}, Distill Studio kernels | PyTorch fp32 | ratio stock | ratio ours |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const model of MODELS) {
  const [stock, ours, torch] = [distillImgPerSec(model, true), distillImgPerSec(model, false), torchImgPerSec(model)];
  console.log(`| ${model[1]} (${model[2]}, batch ${batchOf(model)}) | ${stock} | ${ours} | ${torch?.toFixed?.(0) ?? '–'} | ${ratio(stock, torch)} | ${ratio(ours, torch)} |`);
}
