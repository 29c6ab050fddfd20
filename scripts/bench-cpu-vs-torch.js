// The CPU table, side by side in one run: `distill bench --backend wasm` on one thread and on every
// core, against PyTorch on the same cores (../shared/bench/torch_cpu_reference.py, Debian's
// python3-torch with libopenblas0-pthread), model by model, printed as a Markdown table of ratios.
// Usage: node scripts/bench-cpu-vs-torch.js [--torch PATH] [--threads N] [--seconds S]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { torch: { type: 'string', default: '../shared/bench/torch_cpu_reference.py' }, threads: { type: 'string', default: String(Math.min(os.availableParallelism(), 8)) }, seconds: { type: 'string', default: '8' } } });
const MODELS = [
  // [name, input shape, batch, steps]: the models and batches of torch_cpu_reference.py.
  ['mlp-1200x2', '28x28x1', 256, 20],
  ['mlp-800x2', '28x28x1', 256, 20],
  ['lenet5', '28x28x1', 64, 20],
  ['vgg11@0.25', '32x32x3', 32, 8],
  ['resnet20', '32x32x3', 32, 5],
];
const jsonLines = (text) => (text ?? '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

function torchImgPerSec(name) {
  // OpenBLAS runs slower here with these two set (see the measurements): unset for this command only.
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const run = spawnSync('/usr/bin/python3', [values.torch, '--threads', values.threads, '--seconds', values.seconds, '--models', name], { encoding: 'utf8', env });
  if (run.status !== 0) console.error(`torch_cpu_reference.py failed for ${name}:\n${run.stderr}`);
  return jsonLines(run.stdout)[0]?.img_per_s;
}

function distillImgPerSec([name, shape, batch, steps], threads) {
  const args = ['bin/distill.js', 'bench', '--backend', 'wasm', '--threads', String(threads), '--model', name, '--shape', shape, '--batch-size', String(batch), '--steps', String(steps), '--json'];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return jsonLines(run.stdout)[0]?.imgPerSec ?? `failed: ${(run.stderr ?? '').split('\n').find(Boolean)}`;
}

const ratio = (a, b) => (typeof a === 'number' && b ? (a / b).toFixed(2) : '–');
const format = (n) => (typeof n === 'number' ? Math.round(n).toLocaleString('en-US') : n ?? '–');
console.log(`| model | batch | \`wasm\`, 1 thread | \`wasm\`, ${values.threads} threads | PyTorch CPU, ${values.threads} threads | ratio |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const model of MODELS) {
  const one = distillImgPerSec(model, 1);
  const all = distillImgPerSec(model, Number(values.threads));
  const torch = torchImgPerSec(model[0]);
  console.log(`| \`${model[0]}\` (${model[1]}) | ${model[2]} | ${format(one)} | ${format(all)} | ${format(torch)} | ${ratio(all, torch)} |`);
}
