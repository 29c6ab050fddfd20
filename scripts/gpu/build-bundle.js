// Bundles the `distill` CLI, the filter-gradient probe and the WebGPU kernel tests into .gpu/app/ for a machine that has
// no node_modules (the GPU machine): TensorFlow.js and its WebGPU backend inside, Dawn's
// dawn.node beside the bundle where the `webgpu` package looks for it. Image folders (sharp) and
// `distill serve`'s renderer build (vite) are left out. Run by scripts/gpu/pack.sh; an argument
// names another output folder (the test that checks the bundle runs without node_modules).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';

const out = process.argv[2] ?? '.gpu/app';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  alias: { sharp: './scripts/gpu/no-sharp.js' },
  // onnxruntime-node (ONNX export's accuracy check) is native and not needed on the GPU machine.
  external: ['vite', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'],
  // CommonJS dependencies inside an ES module bundle need `require`.
  banner: { js: "import { createRequire as __distillCreateRequire } from 'node:module'; const require = __distillCreateRequire(import.meta.url);" },
};
await build({ ...common, entryPoints: ['scripts/gpu/cli-entry.ts'], outfile: `${out}/distill.mjs` });
await build({ ...common, entryPoints: ['scripts/bench-conv-grad.ts'], outfile: `${out}/bench-conv-grad.mjs` });
// The WebGPU kernel tests, so the GPU machine checks this project's kernels against `cpu` on its own adapter.
await build({ ...common, entryPoints: ['tests/gpu/webgpu.test.ts'], outfile: `${out}/webgpu.test.mjs` });
mkdirSync(`${out}/dist/linux-x64`, { recursive: true });
copyFileSync('node_modules/webgpu/dist/linux-x64/dawn.node', `${out}/dist/linux-x64/dawn.node`);
console.log(`built ${out}/{distill.mjs,bench-conv-grad.mjs,webgpu.test.mjs} and copied dawn.node`);
