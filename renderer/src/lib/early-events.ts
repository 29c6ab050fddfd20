import type { ApiEvent } from '../../../electron/contract/api';

/** What a run sends on the event channel: its events, and its end. */
export type RunChannelEvent = Extract<ApiEvent, { type: 'run-event' | 'run-ended' }>;

/**
 * Events of runs not in view, kept for a while: a run's first events can arrive before the answer
 * to the call that started it names the run (the answer and the events travel apart), and the view
 * made from that answer replays them. A short run can even end before it: its `run-ended` is kept
 * too, past the cap, so that its view ends at once rather than when its folder is next read.
 * Bounded, since runs that other windows start send events here too and are never put in view:
 * the newest `runs` runs, the first `perRun` events of each, and its end.
 */
export function createEarlyEvents(limits = { runs: 4, perRun: 200 }) {
  const kept = new Map<string, RunChannelEvent[]>();
  return {
    keep(event: RunChannelEvent): void {
      const { runId } = event;
      let events = kept.get(runId);
      if (!events) {
        kept.set(runId, (events = []));
        if (kept.size > limits.runs) kept.delete(kept.keys().next().value!);
      }
      if (events.length < limits.perRun || event.type === 'run-ended') events.push(event);
    },
    /** The run's kept events, oldest first; they are forgotten here. */
    take(runId: string): RunChannelEvent[] {
      const events = kept.get(runId) ?? [];
      kept.delete(runId);
      return events;
    },
  };
}
