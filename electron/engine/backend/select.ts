import * as tf from '@tensorflow/tfjs';
import type { BackendInfo } from '../../contract/events';
import type { BackendName, BackendRequest } from '../../contract/run-config';
import { DistillInputError } from '../errors';
import { BACKEND_PROBES, type Availability } from './probes';

export interface BackendNeeds {
  /** The models to train have convolutions (rules out wasm). */
  convolutional: boolean;
}

/** Fastest first. `auto` takes the first available; a forced one must be available. */
export const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export async function probeBackends(needs: BackendNeeds): Promise<Record<BackendName, Availability>> {
  const entries = await Promise.all(AUTO_ORDER.map(async (name) => [name, await BACKEND_PROBES[name].probe(needs)] as const));
  return Object.fromEntries(entries) as Record<BackendName, Availability>;
}

/**
 * Picks and activates a TensorFlow.js backend. Called once at the edge (CLI, worker, server);
 * model, data and loss code never name a backend.
 */
export async function selectBackend(request: BackendRequest, needs: BackendNeeds): Promise<BackendInfo> {
  const skipped: string[] = [];
  const candidates = request === 'auto' ? AUTO_ORDER : [request];
  for (const name of candidates) {
    const probe = BACKEND_PROBES[name];
    const availability = await probe.probe(needs);
    if (!availability.ok) {
      if (request !== 'auto') throw new DistillInputError(`backend ${name} is not available: ${availability.reason}`);
      skipped.push(`${name}: ${availability.reason}`);
      continue;
    }
    // On a CPU-only machine WebGPU runs on lavapipe: it beats pure JS on convnets (8×), wasm beats it on dense models.
    if (request === 'auto' && availability.software && !needs.convolutional) {
      skipped.push(`${name}: ${availability.device} is a software adapter; wasm is faster for dense models`);
      continue;
    }
    await probe.activate();
    if (!(await tf.setBackend(name))) {
      if (request !== 'auto') throw new DistillInputError(`backend ${name} failed to initialise`);
      skipped.push(`${name}: failed to initialise`);
      continue;
    }
    await tf.ready();
    const reason = request === 'auto' ? ['auto', ...skipped].join('; ') + `; ${name}: ${availability.why}` : `forced with --backend ${name}`;
    return { name, device: availability.device, reason };
  }
  throw new Error(`no TensorFlow.js backend could start (${skipped.join('; ')})`);
}
