import type { RunDetail } from '../../../electron/contract/api';

export interface RunFollowerOptions {
  /** Reads the run as stored (the API's getRun). */
  read: (runId: string) => Promise<RunDetail>;
  /** The run in view while it trains, else null: following stops when it changes. */
  inView: () => string | null;
  /** Puts what was read in view; returns whether the run is still training. */
  show: (detail: RunDetail) => boolean;
  /** One of this window's own runs has ended, though its end's event never came. */
  ended: (detail: RunDetail) => void;
  intervalMs?: number;
}

/**
 * Keeps a training run in view current when this window hears nothing from it: a run another
 * process trains in the same folder (a CLI run beside the app) is read again every `intervalMs`
 * while it runs and stays in view. A run whose events arrive (this app's own) is left to them;
 * when its events stop, it is read again only for its end, which an event can miss: the run ended
 * before the start's answer arrived, or while the event socket reconnected.
 */
export function createRunFollower(options: RunFollowerOptions) {
  const interval = options.intervalMs ?? 2000;
  const lastHeard = new Map<string, number>();
  /** This window's runs, each with the time of the end it was resumed from (that end is not its own), or null. */
  const own = new Map<string, string | null>();
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = (runId: string) => {
    timer = setTimeout(() => void tick(runId), interval);
  };
  const stillRunning = (detail: RunDetail) => {
    if (!own.has(detail.runId)) return options.show(detail);
    if (detail.status === 'running' || detail.updatedAt === own.get(detail.runId)) return true;
    own.delete(detail.runId);
    options.ended(detail);
    return false;
  };
  const tick = async (runId: string) => {
    timer = null;
    if (options.inView() !== runId) return;
    if (Date.now() - (lastHeard.get(runId) ?? 0) > interval) {
      const detail = await options.read(runId).catch(() => null);
      if (!detail || options.inView() !== runId || !stillRunning(detail)) return;
    }
    schedule(runId);
  };
  const follow = (runId: string) => {
    if (timer) clearTimeout(timer);
    schedule(runId);
  };

  return {
    /** A run opened while it trains: follow it until it ends or another is opened. */
    follow,
    /**
     * A run this window has just started, or resumed from an end stored at `resumedFrom` (its
     * status.json's time, while that still said failed or cancelled): follow it for its end.
     */
    followOwn(runId: string, resumedFrom: string | null = null): void {
      own.set(runId, resumedFrom);
      follow(runId);
    },
    /** One of the run's events arrived: it reports itself, so reading it again is not needed. */
    heard(runId: string): void {
      lastHeard.set(runId, Date.now());
    },
  };
}
