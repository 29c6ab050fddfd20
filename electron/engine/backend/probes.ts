import * as tf from '@tensorflow/tfjs';
import os from 'node:os';
import type { BackendName } from '../../contract/run-config';
import { availableCores, registerThreadedWasm, wasmThreadsUnavailable } from './wasm-threads';

export type Availability = { ok: true; device: string; why: string; software?: boolean } | { ok: false; reason: string };

/** How a backend is to run, where it has a choice. */
export interface BackendOptions {
  /** CPU threads for `wasm`; null: every core. */
  threads?: number | null;
}

/** For a backend that computes on CPU threads: how many it got once started, and why fewer than asked where so. */
export interface CpuThreads {
  count(): number;
  note?: string;
}

export interface BackendProbe {
  /** Cheap check; imports optional packages lazily and reports why they are missing. */
  probe(): Promise<Availability>;
  /** Registers the backend with tfjs (once). */
  activate(options: BackendOptions): Promise<CpuThreads | void>;
}

const cpuName = () => `${os.cpus()[0]?.model?.trim() ?? 'CPU'} × ${availableCores()}`;

/**
 * Import a package that may not be installed. `load` defaults to an import by a computed name,
 * which neither a bundler nor tsc resolves (for packages that are not dependencies at all);
 * optional dependencies pass a literal `import()` so a bundle can include them.
 */
async function importOptional(name: string, load: () => Promise<unknown> = () => import(/* @vite-ignore */ name)): Promise<{ ok: true; module: unknown } | { ok: false; reason: string }> {
  try {
    return { ok: true, module: await load() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return { ok: false, reason: `${name} is not installed` };
    return { ok: false, reason: `${name} failed to load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** What is read of a WebGPU adapter. */
interface AdapterInfo {
  description?: string;
  device?: string;
  vendor?: string;
  architecture?: string;
  isFallbackAdapter?: boolean;
}

/** The part of the `webgpu` package (Dawn's Node binding) used here. */
interface DawnModule {
  globals: object;
  create(flags: string[]): {
    requestAdapter(options?: { powerPreference?: string }): Promise<{ info?: AdapterInfo } | null>;
  };
}

let nativePackage: string | null = null;

const tensorflowProbe: BackendProbe = {
  async probe() {
    const reasons: string[] = [];
    for (const name of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      const loaded = await importOptional(name);
      if (loaded.ok) {
        nativePackage = name;
        return { ok: true, device: name.endsWith('gpu') ? 'CUDA (libtensorflow)' : `${cpuName()} (libtensorflow)`, why: `native ${name}` };
      }
      reasons.push(loaded.reason);
    }
    return { ok: false, reason: reasons.join(', ') };
  },
  async activate() {
    if (!nativePackage) throw new Error('tensorflow backend probed unavailable');
  },
};

const ADAPTER_REQUEST = { powerPreference: 'high-performance' } as const;

/** The adapter, asked for in this process: Dawn is then set up here, ready for tfjs. */
let dawnHere: { gpu: ReturnType<DawnModule['create']> } | null = null;
function dawnInProcess(dawn: DawnModule): { gpu: ReturnType<DawnModule['create']> } {
  if (!dawnHere) {
    Object.assign(globalThis, dawn.globals);
    dawnHere = { gpu: dawn.create([]) };
  }
  return dawnHere;
}

/**
 * The adapter's facts, read in a child Node process. Dawn writes its warnings about a software
 * adapter's limits (lavapipe reports 1,000,000 dynamic buffers; Dawn clamps them to 16) straight
 * to the process's stderr, past Node, and has no switch for them; `auto` skips such an adapter, so
 * a run on another backend should not print them. Electron's processes (a packaged app's Electron
 * may not run as Node; no terminal shows them there) and bundles probe in-process instead.
 */
async function adapterInfoInChild(entry: string): Promise<AdapterInfo | null> {
  const script = `const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter(${JSON.stringify(ADAPTER_REQUEST)}).catch(() => null);
const i = adapter?.info;
process.stdout.write(JSON.stringify(i ? { description: i.description, device: i.device, vendor: i.vendor, architecture: i.architecture, isFallbackAdapter: i.isFallbackAdapter } : null));
process.exit(0);`;
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, entry], { timeout: 60_000, encoding: 'utf8' }, (error, stdout) => {
      try {
        resolve(error ? null : (JSON.parse(stdout) as AdapterInfo | null));
      } catch {
        resolve(null);
      }
    });
  });
}

/** The `webgpu` package's entry for a child to import; null where it cannot be found on disk (a bundle carries it inside). */
function webgpuEntry(): string | null {
  if (process.versions.electron !== undefined) return null;
  try {
    return import.meta.resolve('webgpu');
  } catch {
    return null;
  }
}

let webgpuAvailability: Promise<Availability> | null = null;

const webgpuProbe: BackendProbe = {
  // An adapter does not come and go within a process: probed once.
  probe() {
    webgpuAvailability ??= (async (): Promise<Availability> => {
      // Dawn wants a writable runtime folder (Vulkan's loader looks there).
      process.env.XDG_RUNTIME_DIR ??= os.tmpdir();
      const dawn = await importOptional('webgpu', () => import('webgpu'));
      if (!dawn.ok) return { ok: false, reason: dawn.reason };
      const entry = webgpuEntry();
      const info = entry ? await adapterInfoInChild(entry) : ((await dawnInProcess(dawn.module as DawnModule).gpu.requestAdapter(ADAPTER_REQUEST).catch(() => null))?.info ?? null);
      if (!info) return { ok: false, reason: 'no WebGPU adapter (no Vulkan, Metal or D3D12 device)' };
      const name = info.description || info.device || info.vendor || 'WebGPU adapter';
      // A software adapter (Mesa's lavapipe) is WebGPU on the CPU: fast for convnets, not for dense layers.
      const software = info.architecture === 'software' || info.isFallbackAdapter === true || /llvmpipe|swiftshader/i.test(name);
      return { ok: true, device: name, why: software ? 'software Vulkan (lavapipe)' : 'GPU through Dawn', software };
    })();
    return webgpuAvailability;
  },
  async activate() {
    const dawn = await importOptional('webgpu', () => import('webgpu'));
    if (!dawn.ok) throw new Error(dawn.reason);
    // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is evaluated.
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawnInProcess(dawn.module as DawnModule).gpu }, configurable: true, writable: true });
    const backend = await importOptional('@tensorflow/tfjs-backend-webgpu', () => import('@tensorflow/tfjs-backend-webgpu'));
    if (!backend.ok) throw new Error(backend.reason);
  },
};

/** tfjs-wasm's pool is built with 8 workers; more threads than that would wait on workers that never start. */
export const MAX_WASM_THREADS = 8;

let wasmActivation: { wanted: number; threads: Promise<CpuThreads> } | null = null;

const wasmProbe: BackendProbe = {
  async probe() {
    return { ok: true, device: `${cpuName()} (WebAssembly SIMD)`, why: 'fastest CPU path (XNNPACK matrix products, with this project\'s convolution gradients)' };
  },
  async activate({ threads }) {
    const wanted = Math.min(threads ?? availableCores(), MAX_WASM_THREADS);
    // The first activation in a process picks the build: tensors already on it must stay valid.
    wasmActivation ??= {
      wanted,
      threads: (async () => {
        await import('@tensorflow/tfjs-backend-wasm');
        // One thread: the single-threaded build, which has no shared-memory overhead.
        if (wanted <= 1) return { count: () => 1 };
        const unavailable = wasmThreadsUnavailable();
        if (unavailable) return { count: () => 1, note: `one thread: ${unavailable}` };
        return { count: await registerThreadedWasm(wanted) };
      })(),
    };
    const started = await wasmActivation.threads;
    // A later request for another count says it was not met, rather than quietly keeping the first.
    if (wanted === wasmActivation.wanted || started.note) return started;
    return { ...started, note: `wasm started in this process with ${wasmActivation.wanted === 1 ? 'one thread' : `${wasmActivation.wanted} threads`}, and that cannot change until it restarts (asked for ${wanted})` };
  },
};

const cpuProbe: BackendProbe = {
  async probe() {
    return { ok: true, device: `${cpuName()} (JavaScript)`, why: 'always available' };
  },
  async activate() {
    // Silences tfjs's "install the node backend" banner: the choice was made and reported here.
    tf.env().set('PROD', true);
    return { count: () => 1 };
  },
};

export const BACKEND_PROBES: Record<BackendName, BackendProbe> = {
  tensorflow: tensorflowProbe,
  webgpu: webgpuProbe,
  wasm: wasmProbe,
  cpu: cpuProbe,
};
