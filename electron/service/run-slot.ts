import type { ApiEvent } from '../contract/api';
import type { RunConfig } from '../contract/run-config';
import type { RunEvent } from '../contract/events';
import { DistillInputError, newRunId, RunCancelledError } from '../engine';

type Train = (runId: string, signal: AbortSignal, onEvent: (event: RunEvent) => void) => Promise<unknown>;

/**
 * The service's one training slot: reserved from the moment a start is asked for (checks take a
 * while, and a second request in that window must not slip through), held while the run trains
 * in the background, and released when it ends or the start fails. Its events stream out, and a
 * run-ended event closes each run.
 */
export function createRunSlot(options: { onEvent: (event: ApiEvent) => void; onLaunch: () => void }) {
  const active = new Map<string, AbortController>();
  let reserved = false;
  return {
    /** Whether a run is starting or training (what must not switch the backend under it). */
    busy: () => reserved || active.size > 0,
    training: (runId: string) => active.has(runId),

    /** Takes the slot, or refuses; the release it returns frees it (a launched run frees it when it ends). */
    reserve(): () => void {
      if (reserved || active.size > 0) throw new DistillInputError('a run is already training: cancel it or wait for it to finish');
      reserved = true;
      return () => void (reserved = false);
    },

    /** Starts training in the background under the reserved slot. */
    launch(config: RunConfig, release: () => void, train: Train, runId = newRunId()): { runId: string; config: RunConfig } {
      const controller = new AbortController();
      active.set(runId, controller);
      options.onLaunch();
      void train(runId, controller.signal, (event) => options.onEvent({ type: 'run-event', runId, event }))
        .then(() => options.onEvent({ type: 'run-ended', runId, status: 'completed' }))
        .catch((error: Error) => options.onEvent({ type: 'run-ended', runId, status: error instanceof RunCancelledError ? 'cancelled' : 'failed', error: error.message }))
        .finally(() => {
          active.delete(runId);
          release();
        });
      return { runId, config };
    },

    /** Asks a training run to stop; false when no run of that id trains here. */
    cancel(runId: string): boolean {
      const controller = active.get(runId);
      controller?.abort();
      return controller !== undefined;
    },

    cancelAll(): void {
      for (const controller of active.values()) controller.abort();
    },
  };
}
