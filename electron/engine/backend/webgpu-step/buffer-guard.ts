import type { BufferManagerInternals } from './internals';

/**
 * Keeps the buffers that a compiled step replays out of tfjs-webgpu's buffer pool: tfjs frees a
 * tensor's buffer into the pool when the tensor is disposed, and would hand it to another tensor
 * while a replay still reads or writes it. A buffer tfjs frees while it is guarded goes to the
 * pool only when the last compiled step that uses it is disposed.
 */
export class BufferGuard {
  private readonly holders = new Map<GPUBuffer, number>();
  private readonly freedByTfjs = new Set<GPUBuffer>();
  private fresh = 0;
  /** Buffers tfjs freed while a step was recorded: held or pooled once the recording is settled. */
  private readonly deferred = new Map<GPUBuffer, boolean>();
  private readonly release: BufferManagerInternals['releaseBuffer'];

  private constructor(private readonly manager: BufferManagerInternals) {
    const release = manager.releaseBuffer;
    const acquire = manager.acquireBuffer;
    this.release = release;
    manager.releaseBuffer = (buffer, reuse = true) => {
      if (this.holders.has(buffer)) this.freedByTfjs.add(buffer);
      else if (this.fresh > 0) this.deferred.set(buffer, reuse);
      else release.call(manager, buffer, reuse);
    };
    // While a step is recorded every buffer is new: a pooled one could be shared with a tensor
    // that lives on, and one buffer must not serve two purposes in a single replayed submit.
    manager.acquireBuffer = (size, usage, mappedAtCreation = false, reuse = true) => acquire.call(manager, size, usage, mappedAtCreation, reuse && this.fresh === 0);
  }

  private static readonly guards = new WeakMap<BufferManagerInternals, BufferGuard>();

  /** The guard of a backend's buffer manager, installed on first use. */
  static of(manager: BufferManagerInternals): BufferGuard {
    let guard = BufferGuard.guards.get(manager);
    if (!guard) BufferGuard.guards.set(manager, (guard = new BufferGuard(manager)));
    return guard;
  }

  /**
   * Runs `f` with tfjs's pool bypassed: every buffer it acquires is newly created, and every buffer
   * it frees waits for `settle`, which knows which of them the recording needs.
   */
  withFreshBuffers<T>(f: () => T): T {
    this.fresh++;
    try {
      return f();
    } finally {
      this.fresh--;
    }
  }

  hold(buffers: Iterable<GPUBuffer>): void {
    for (const buffer of buffers) this.holders.set(buffer, (this.holders.get(buffer) ?? 0) + 1);
  }

  /** After a recording: what it freed goes to tfjs's pool, except the buffers now held. */
  settle(): void {
    for (const [buffer, reuse] of this.deferred) {
      if (this.holders.has(buffer)) this.freedByTfjs.add(buffer);
      else this.release.call(this.manager, buffer, reuse);
    }
    this.deferred.clear();
  }

  /** Ends a hold; buffers that tfjs freed meanwhile, and nobody else holds, go to its pool now. */
  unhold(buffers: Iterable<GPUBuffer>): void {
    for (const buffer of buffers) {
      const count = (this.holders.get(buffer) ?? 0) - 1;
      if (count > 0) {
        this.holders.set(buffer, count);
        continue;
      }
      this.holders.delete(buffer);
      if (this.freedByTfjs.delete(buffer)) this.release.call(this.manager, buffer, true);
    }
  }

  /** Whether tfjs has freed a held buffer (no tensor of tfjs's refers to it any more). */
  isFreed(buffer: GPUBuffer): boolean {
    return this.freedByTfjs.has(buffer);
  }

  /** A held buffer tfjs had freed is a tensor's again, in place of `replaced`, which tfjs frees. */
  swapIn(buffer: GPUBuffer, replaced: GPUBuffer): void {
    this.freedByTfjs.delete(buffer);
    this.manager.releaseBuffer(replaced);
  }

  /** Guarded buffers (for tests: none should be left once every compiled step is disposed). */
  get size(): number {
    return this.holders.size;
  }
}
