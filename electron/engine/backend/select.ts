import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../../contract/events';
import type { BackendName, BackendRequest } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import { installKernels } from './kernels/install';
import { BACKEND_PROBES, type Availability, type BackendOptions } from './probes';

/** Fastest first. `auto` takes the first available; a forced one must be available. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export async function probeBackends(): Promise<Record<BackendName, Availability>> {
  const entries = await Promise.all(AUTO_ORDER.map(async (name) => [name, await BACKEND_PROBES[name].probe()] as const));
  return Object.fromEntries(entries) as Record<BackendName, Availability>;
}

/** What `auto` takes, given the probes: the first available backend on a real device (software WebGPU is skipped). */
export function autoChoice(probes: Record<BackendName, Availability>): BackendName {
  return AUTO_ORDER.find((name) => {
    const probe = probes[name];
    return probe.ok && !probe.software;
  }) ?? 'cpu';
}

/**
 * Picks and activates a TensorFlow.js backend. Called once at the edge (CLI, worker, server);
 * model, data and loss code never name a backend.
 */
export async function selectBackend(request: BackendRequest, options: BackendOptions = {}): Promise<BackendInfo> {
  const skipped: string[] = [];
  const candidates = request === 'auto' ? AUTO_ORDER : [request];
  for (const name of candidates) {
    const probe = BACKEND_PROBES[name];
    const availability = await probe.probe();
    if (!availability.ok) {
      if (request !== 'auto') throw new DistillInputError(`backend ${name} is not available: ${availability.reason}`);
      skipped.push(`${name}: ${availability.reason}`);
      continue;
    }
    // On a CPU-only machine WebGPU runs on lavapipe (software Vulkan): wasm, with this project's
    // kernels, trains every model here 7–13× faster than it (README, performance table).
    if (request === 'auto' && availability.software) {
      skipped.push(`${name}: ${availability.device} is a software adapter; wasm is faster on this CPU`);
      continue;
    }
    const threads = await probe.activate(options);
    installKernels(name);
    if (!(await tf.setBackend(name))) {
      if (request !== 'auto') throw new DistillInputError(`backend ${name} failed to initialise`);
      skipped.push(`${name}: failed to initialise`);
      continue;
    }
    await tf.ready();
    const reason = request === 'auto' ? ['auto', ...skipped].join('; ') + `; ${name}: ${availability.why}` : `forced with --backend ${name}`;
    if (!threads) return { name, device: availability.device, reason };
    return { name, device: availability.device, reason: threads.note ? `${reason}; ${threads.note}` : reason, threads: threads.count() };
  }
  throw new Error(`no TensorFlow.js backend could start (${skipped.join('; ')})`);
}
