import * as tf from '@tensorflow/tfjs';
import { createBenchStep, type BenchOptions } from './bench';
import { webgpuInternals } from './backend/webgpu-step/internals';
import { traceStep } from './backend/webgpu-step/trace';

/** Time spent in one kernel (by tfjs kernel name) over one training step. */
export interface KernelTimeRow {
  kernel: string;
  calls: number;
  ms: number;
  /** Fraction of the step's kernel time. */
  share: number;
}

export interface StepProfile {
  /** Kernels the step runs, counted at the outermost level (a kernel built from others counts once). */
  kernelsPerStep: number;
  /** On webgpu: compute dispatches the eager step makes (reshapes make none; some kernels make two). */
  dispatchesPerStep?: number;
  /** Sum of the kernel times: device time on webgpu (timestamp queries), wall time elsewhere. */
  kernelMs: number;
  rows: KernelTimeRow[];
}

interface ProfilerHook {
  profileKernel: (name: string, inputs: unknown, f: () => tf.Tensor[]) => unknown;
}

/**
 * Where one training step's time goes, kernel by kernel (`distill bench --profile`). tfjs's
 * profiler records nested kernels too (this project's kernels are built from others, and ops
 * with a custom gradient open a scope of their own), so each record's nesting depth is noted to
 * count every kernel once, under the outermost kernel's name.
 */
export async function profileTrainingStep(options: Omit<BenchOptions, 'steps'>): Promise<StepProfile> {
  const bench = createBenchStep(options);
  const profiler = (tf.engine() as unknown as { profiler: ProfilerHook }).profiler;
  const original = profiler.profileKernel;
  try {
    for (let i = 0; i < 2; i++) {
      const warm = bench.step();
      await warm.data();
      warm.dispose();
    }
    // Records complete in the same order as tfjs pushes them to the profile (after their kernel ran).
    const depths: number[] = [];
    let depth = 0;
    const backend = tf.getBackend();
    profiler.profileKernel = function (name, inputs, f) {
      // Ops with a custom gradient run as a scope (`fusedMatMul__op`, `unnamed scope`), not a kernel.
      const scope = tf.getKernel(name, backend) === undefined;
      const mine = depth;
      if (!scope) depth++;
      try {
        return original.call(this, name, inputs, f);
      } finally {
        if (!scope) depth--;
        depths.push(scope ? -1 : mine);
      }
    };
    // The dispatches of one eager step, as they reach the device.
    const gpu = webgpuInternals();
    let dispatchesPerStep: number | undefined;
    if (gpu) {
      const { result, trace } = traceStep(gpu, () => bench.step(), { recording: false });
      result.dispose();
      dispatchesPerStep = trace.commands.filter((command) => command.kind === 'dispatch').length;
    }
    const info = await tf.profile(() => bench.step());
    tf.dispose(info.result);
    if (depths.length !== info.kernels.length) throw new Error(`profile has ${info.kernels.length} records, ${depths.length} were seen`);
    const byKernel = new Map<string, { calls: number; ms: number }>();
    info.kernels.forEach((record, i) => {
      if (depths[i] !== 0) return;
      const row = byKernel.get(record.name) ?? { calls: 0, ms: 0 };
      row.calls++;
      row.ms += record.kernelTimeMs as number;
      byKernel.set(record.name, row);
    });
    const kernelMs = [...byKernel.values()].reduce((sum, row) => sum + row.ms, 0);
    const rows = [...byKernel]
      .map(([kernel, { calls, ms }]) => ({ kernel, calls, ms, share: kernelMs > 0 ? ms / kernelMs : 0 }))
      .sort((a, b) => b.ms - a.ms || b.calls - a.calls);
    return { kernelsPerStep: rows.reduce((sum, row) => sum + row.calls, 0), ...(dispatchesPerStep !== undefined ? { dispatchesPerStep } : {}), kernelMs, rows };
  } finally {
    profiler.profileKernel = original;
    bench.dispose();
  }
}
