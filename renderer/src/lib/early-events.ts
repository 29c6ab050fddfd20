import type { RunEvent } from '../../../electron/contract/events';

/**
 * Events of runs not in view, kept for a while: a run's first events can arrive before the answer
 * to the call that started it names the run (the answer and the events travel apart), and the view
 * made from that answer replays them. Bounded, since runs that other windows start send events
 * here too and are never put in view: the newest `runs` runs, the first `perRun` events of each.
 */
export function createEarlyEvents(limits = { runs: 4, perRun: 200 }) {
  const kept = new Map<string, RunEvent[]>();
  return {
    keep(runId: string, event: RunEvent): void {
      let events = kept.get(runId);
      if (!events) {
        kept.set(runId, (events = []));
        if (kept.size > limits.runs) kept.delete(kept.keys().next().value!);
      }
      if (events.length < limits.perRun) events.push(event);
    },
    /** The run's kept events, oldest first; they are forgotten here. */
    take(runId: string): RunEvent[] {
      const events = kept.get(runId) ?? [];
      kept.delete(runId);
      return events;
    },
  };
}
