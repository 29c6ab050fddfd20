import type { RunDetail } from '../../../electron/contract/api';

export interface RunFollowerOptions {
  /** Reads the run as stored (the API's getRun). */
  read: (runId: string) => Promise<RunDetail>;
  /** The run in view while it trains, else null: following stops when it changes. */
  inView: () => string | null;
  /** Puts what was read in view; returns whether the run is still training. */
  show: (detail: RunDetail) => boolean;
  intervalMs?: number;
}

/**
 * Keeps a training run in view current when this window hears nothing from it: a run another
 * process trains in the same folder (a CLI run beside the app) is read again every `intervalMs`
 * while it runs and stays in view. A run whose events arrive (this app's own) is left to them.
 */
export function createRunFollower(options: RunFollowerOptions) {
  const interval = options.intervalMs ?? 2000;
  const lastHeard = new Map<string, number>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = (runId: string) => {
    timer = setTimeout(() => void tick(runId), interval);
  };
  const tick = async (runId: string) => {
    timer = null;
    if (options.inView() !== runId) return;
    if (Date.now() - (lastHeard.get(runId) ?? 0) > interval) {
      const detail = await options.read(runId).catch(() => null);
      if (!detail || options.inView() !== runId || !options.show(detail)) return;
    }
    schedule(runId);
  };

  return {
    /** A run opened while it trains: follow it until it ends or another is opened. */
    follow(runId: string): void {
      if (timer) clearTimeout(timer);
      schedule(runId);
    },
    /** One of the run's events arrived: it reports itself, so reading it again is not needed. */
    heard(runId: string): void {
      lastHeard.set(runId, Date.now());
    },
  };
}
