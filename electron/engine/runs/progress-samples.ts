import type { RunEvent, TrainerProgressEvent } from '../../contract/events';

/**
 * How many progress lines an epoch keeps in metrics.jsonl: enough for a run reopened from History
 * to draw its loss within epochs as it was watched live, few enough that a long run's file (and
 * its History detail) stays small. The live view gets every progress event regardless.
 */
export const STORED_PROGRESS_PER_EPOCH = 8;

/**
 * A trainer's `onProgress` that passes every event on and keeps at most `perEpoch` of each
 * epoch's: the first in each of `perEpoch` equal stretches of its steps. An epoch's last step is
 * not kept, as its epoch line holds the same loss. A write that fails is left to the epoch's own
 * line, which is awaited and reports it.
 */
export function progressSampler(emit: (event: RunEvent, persist: boolean) => Promise<void>, perEpoch = STORED_PROGRESS_PER_EPOCH): (event: TrainerProgressEvent) => void {
  let epoch = -1;
  let stretch = -1;
  return (event) => {
    const at = Math.floor((event.step / event.steps) * perEpoch);
    const keep = event.step < event.steps && (event.epoch !== epoch || at > stretch);
    if (keep) {
      epoch = event.epoch;
      stretch = at;
    }
    emit(event, keep).catch(() => {});
  };
}
