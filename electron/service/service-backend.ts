import type { BackendInfo } from '../contract/events';
import type { RunConfig } from '../contract/run-config';
import { selectBackend } from '../engine';

/**
 * TensorFlow.js has one backend per process, and the service trains in the process that also
 * counts parameters, shows soft labels and mistakes and checks exports. Every choice goes through
 * here, one at a time in the order asked, so a choice for the service's own work can never land
 * after (and so under) a run's.
 */
export interface ServiceBackend {
  /**
   * A backend for the service's own model work: the one the last run chose, or, before any run,
   * auto's choice (wasm on a CPU machine: the pure-JavaScript backend took a minute over a
   * Fashion-MNIST run's 10,000 test images, and held every other request that long). Nothing
   * is chosen while a run is starting or training: it keeps the backend it chose.
   */
  forService(): Promise<void>;
  /** The backend a run asked for, chosen before it starts. */
  forRun(config: Pick<RunConfig, 'backend' | 'threads'>): Promise<BackendInfo>;
}

export function createServiceBackend(runBusy: () => boolean, select: typeof selectBackend = selectBackend): ServiceBackend {
  let queue: Promise<unknown> = Promise.resolve();
  let chosen = false;
  const inTurn = <T>(choose: () => Promise<T>): Promise<T> => {
    const next = queue.then(choose);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    forService: () =>
      inTurn(async () => {
        if (chosen || runBusy()) return;
        await select('auto');
        chosen = true;
      }),
    forRun: (config) =>
      inTurn(async () => {
        const info = await select(config.backend, { threads: config.threads });
        chosen = true;
        return info;
      }),
  };
}
