import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * tfjs-backend-wasm ships a multi-threaded SIMD build (XNNPACK's thread pool on Emscripten
 * pthreads, i.e. worker_threads over one shared memory) but never loads it under Node
 * (tfjs issue 3830): its loader hands the pthread workers a blob: URL, which Node's Worker
 * refuses. This loads the same build with what Node needs: the worker script and the module's
 * factory as real files (written once per content, to a cache folder), and the number of
 * logical cores reported as twice the wanted threads, because tfjs-wasm assumes every core has
 * two hyperthreads and caps its pool at half of them (one thread on a 2-core machine).
 */

/** The part of the Emscripten module tfjs-wasm's BackendWasm uses (its `tfjs` bridge), plus the pthread pool. */
interface ThreadedWasmModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { unusedWorkers: Array<{ unref(): void }>; runningWorkers: Array<{ unref(): void }> };
  tfjs?: object;
}
type ThreadedFactory = (config: object) => Promise<ThreadedWasmModule>;
type WasmInstantiate = (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;

const require = createRequire(import.meta.url);
const THREADED = 'tfjs-backend-wasm-threaded-simd';

/** The machine's cores, as `auto` uses them. */
export const availableCores = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);

/** Why this process cannot run wasm threads, or null when it can. */
export function wasmThreadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'this runtime has no SharedArrayBuffer';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this runtime has no shared WebAssembly memory';
  }
  return null;
}

/** Writes `text` under a name derived from its content, once; concurrent processes each rename a complete file into place. */
function cachedFile(dir: string, name: string, text: string): string {
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = path.join(dir, `${hash}-${name}`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, text);
  fs.renameSync(partial, file);
  return file;
}

async function loadThreadedModule(threads: number, cacheDir: string): Promise<ThreadedWasmModule> {
  const out = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  // The worker script ships as a string in a CommonJS module; escaped as tfjs's own loader does.
  const { wasmWorkerContents } = require(path.join(out, `${THREADED}.worker.js`)) as { wasmWorkerContents: string };
  const workerFile = cachedFile(cacheDir, `${THREADED}.worker.cjs`, wasmWorkerContents.replace(/\n/g, '\\n'));
  // Each pthread worker evaluates the factory from this file before it starts.
  const factoryFile = cachedFile(cacheDir, `${THREADED}.cjs`, fs.readFileSync(path.join(out, `${THREADED}.js`), 'utf8'));
  const factory = require(factoryFile) as ThreadedFactory;
  const binary = fs.readFileSync(path.join(out, `${THREADED}.wasm`));
  const instantiateWasm: WasmInstantiate = (imports, receive) => {
    const env = { ...(imports.env as WebAssembly.ModuleImports), emscripten_num_logical_cores: () => 2 * threads };
    void WebAssembly.instantiate(binary, { ...imports, env }).then(({ instance, module }) => receive(instance, module));
    return {};
  };
  const module = await factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile : path.join(out, file)),
    mainScriptUrlOrBlob: factoryFile,
    instantiateWasm,
  });
  // The bridge tfjs-wasm's own loader adds (BackendWasm calls these).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

interface WasmPackage {
  BackendWasm: new (module: object) => tf.KernelBackend & { wasm: { tfjs: { getThreadsCount(): number } } };
  setThreadsCount(threads: number): void;
}

/**
 * Registers `wasm` as the multi-threaded build with `threads` threads (the kernels registered for
 * `wasm` stay as they are). Call before `tf.setBackend('wasm')`; returns how many threads XNNPACK
 * got. Its workers do not keep the process alive.
 */
export async function registerThreadedWasm(threads: number): Promise<() => number> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as unknown as WasmPackage;
  const cacheDir = path.join(os.tmpdir(), 'distill-studio-wasm');
  let backend: InstanceType<WasmPackage['BackendWasm']> | null = null;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    const module = await loadThreadedModule(threads, cacheDir);
    wasm.setThreadsCount(threads);
    backend = new wasm.BackendWasm(module);
    // The pool's threads wait in their workers between kernels; unref'd, they let a finished CLI exit.
    for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref();
    return backend;
  }, 2);
  return () => backend?.wasm.tfjs.getThreadsCount() ?? 1;
}
