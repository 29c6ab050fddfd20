// Side by side on one machine: `distill bench` on a tfjs backend against PyTorch's training
// throughput for the same models (../shared/bench/torch_reference.py), printed as ratios.
// Usage: node scripts/bench-vs-torch.js [--backend webgpu] [--batch 256] [--torch PATH]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'webgpu' }, batch: { type: 'string', default: '256' }, torch: { type: 'string', default: '../shared/bench/torch_reference.py' }, steps: { type: 'string', default: '20' } } });
const MODELS = [
  // [name in torch_reference.py, name in distill, input shape]
  ['mlp', 'mlp-1200x2', '28x28x1'],
  ['vgg11', 'vgg11', '32x32x3'],
  ['resnet18', 'resnet18', '32x32x3'],
];
const jsonLines = (text) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

const torch = spawnSync('python3', [values.torch, '--models', MODELS.map((m) => m[0]).join(','), '--batch', values.batch], { encoding: 'utf8' });
if (torch.status !== 0) console.error(`torch_reference.py failed:\n${torch.stderr}`);
const reference = jsonLines(torch.stdout ?? '').filter((r) => r.backend === 'pytorch-fp32');

console.log(`| model | tfjs ${values.backend} img/s | PyTorch fp32 img/s | ratio |`);
console.log('| --- | ---: | ---: | ---: |');
for (const [torchName, name, shape] of MODELS) {
  const run = spawnSync(process.execPath, ['bin/distill.js', 'bench', '--model', name, '--shape', shape, '--batch-size', values.batch, '--steps', values.steps, '--backend', values.backend, '--json'], { encoding: 'utf8' });
  const ours = jsonLines(run.stdout ?? '')[0];
  const theirs = reference.find((r) => r.model === torchName);
  const ratio = ours && theirs ? (ours.imgPerSec / theirs.img_per_s).toFixed(3) : '–';
  console.log(`| ${name} (${shape}, batch ${values.batch}) | ${ours?.imgPerSec ?? `failed: ${(run.stderr ?? '').split('\n').find(Boolean)}`} | ${theirs?.img_per_s?.toFixed?.(0) ?? '–'} | ${ratio} |`);
}
