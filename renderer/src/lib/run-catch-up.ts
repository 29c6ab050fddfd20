import type { RunDetail } from '../../../electron/contract/api';
import type { EpochEndEvent, RunEvent } from '../../../electron/contract/events';
import { applyRunEvent, applyStoredEvents, type RunView } from './run-view';

const sameEpoch = (a: EpochEndEvent, b: EpochEndEvent) =>
  a.phase === b.phase && a.method === b.method && a.epoch === b.epoch && a.seconds === b.seconds && a.trainLoss === b.trainLoss;

/**
 * The run in view after its events were lost for a while (a browser's event socket dropped and
 * came back), or may have been (it has just come into view, after its first events): the view as
 * its folder, read since, has it, then the events that came while the folder was read. The view
 * keeps its lanes (their order and colours: a study's methods that have not started yet included)
 * and, up to the drop, its loss curve, which its folder samples only eight times an epoch; an
 * epoch that came both ways counts once. Its status stays the window's: a run's end reaches it as
 * any end does (its event, or its follower).
 */
export function caughtUpView(live: RunView, detail: RunDetail, since: RunEvent[]): RunView {
  const view: RunView = { ...live, lanes: live.lanes.map((l) => ({ ...l })), epochs: [], loss: [], sweepCells: [], sweepFinals: [] };
  applyStoredEvents(view, detail.metrics);
  const drawnUpTo = new Map<string, number>();
  for (const p of live.loss) drawnUpTo.set(p.lane, Math.max(drawnUpTo.get(p.lane) ?? -Infinity, p.x));
  view.loss = [...live.loss, ...view.loss.filter((p) => p.x > (drawnUpTo.get(p.lane) ?? -Infinity))];
  for (const event of since) {
    if (event.type === 'epoch' && view.epochs.some((e) => sameEpoch(e, event))) continue;
    applyRunEvent(view, event);
  }
  return view;
}
