// Bundles Electron's main (CJS), the sandboxed preload (CJS, as sandboxing requires) and the
// engine worker (ESM) into dist/electron. TensorFlow.js stays in node_modules (native and
// wasm files are unpacked from the asar by electron-builder).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
await Promise.all([
  build({ ...common, entryPoints: ['electron/main/main.ts'], outfile: 'dist/electron/main.cjs', format: 'cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['electron/preload/preload.ts'], outfile: 'dist/electron/preload.cjs', format: 'cjs', external: ['electron'] }),
  build({
    ...common,
    entryPoints: ['electron/worker/worker.ts'],
    outfile: 'dist/electron/worker.mjs',
    format: 'esm',
    external: ['electron', '@tensorflow/*', 'webgpu', 'onnxruntime-node', '@litertjs/*'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  }),
]);
console.log('built dist/electron/{main.cjs,preload.cjs,worker.mjs}');
