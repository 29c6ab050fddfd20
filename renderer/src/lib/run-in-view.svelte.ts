import type { RunDetail } from '../../../electron/contract/api';
import { inAppWords } from '../../../electron/contract/catalogue';
import type { RunEvent, RunStatus } from '../../../electron/contract/events';
import { api } from '../api/bridge';
import { app, type Screen } from './app-state.svelte';
import { caughtUpView } from './run-catch-up';
import { createEarlyEvents, type RunChannelEvent } from './early-events';
import { createRunFollower } from './run-follower';
import { applyRunEvent, runViewFromDetail, type RunView } from './run-view';

/*
 * The run in view on the Training and Results screens, kept up to date: by its events (this
 * window's runs), by reading its folder (another process's runs; an end or events this window
 * missed), and History's list with it.
 */

export async function refreshRuns(): Promise<void> {
  app.runs = await api().listRuns({});
}

/** Puts a run as stored in view; the run watched live keeps the loss it sampled step by step (what is stored has eight points per epoch). */
function showStoredRun(detail: RunDetail): RunView {
  const view = runViewFromDetail(detail);
  if (app.run?.runId === detail.runId && app.run.loss.length > view.loss.length) view.loss = app.run.loss;
  app.run = view;
  return view;
}

/** A run ended (its event, or its stored status when the event was missed): History, and the run in view, say so; a completed one opens its results. */
function runEnded(runId: string, status: RunStatus, error: string | undefined): void {
  void refreshRuns();
  const run = app.run;
  if (!run || run.runId !== runId || run.status !== 'running') return;
  run.status = status;
  run.error = error === undefined ? undefined : inAppWords(error);
  if (status === 'completed') void openRun(runId, 'results');
}

/**
 * A run trained by another process (a CLI run in the same folder) sends no events: it is read again
 * while in view. This window's own runs are read again only for an end whose event was missed.
 */
const follower = createRunFollower({
  read: (runId) => api().getRun({ runId }),
  inView: () => (app.run?.status === 'running' ? app.run.runId : null),
  show: (detail) => {
    const running = showStoredRun(detail).status === 'running';
    if (!running) void refreshRuns();
    return running;
  },
  ended: (detail) => runEnded(detail.runId, detail.status, detail.error),
});

/** The run in view while its folder is read after lost events: the events that come meanwhile. */
let catchingUp: { runId: string; since: RunEvent[] } | null = null;

/**
 * The running run in view gets what it missed from its folder: the event socket is back after a
 * drop, or the run has just come into view. A read for a run no longer in view is let go.
 */
async function catchUp(): Promise<void> {
  const run = app.run;
  if (!run || run.status !== 'running' || catchingUp?.runId === run.runId) return;
  const waiting = (catchingUp = { runId: run.runId, since: [] });
  try {
    const detail = await api().getRun({ runId: run.runId });
    if (app.run === run) app.run = caughtUpView(run, detail, waiting.since);
  } catch {
    // Unread (the server is gone again): the events that came are not lost for that.
    if (app.run === run) for (const event of waiting.since) applyRunEvent(run, event);
  } finally {
    if (catchingUp === waiting) catchingUp = null;
  }
}

/** Events of runs not in view, for a run whose events came before the answer that started it. */
const earlyEvents = createEarlyEvents();

/**
 * A run this window has just started or resumed, in view on the Training screen. A new run's view
 * takes the events that came before it; a resumed run's is its folder as read after the call's
 * answer. Either then reads its folder again, now that its events come to the view: some that came
 * before can be lost (the event channel dropped during the call, more came than are kept, or they
 * came between the read and the view), and the folder holds every event the window can have heard.
 * A new run whose end came before the answer ends once that read is done.
 */
export function watchOwnRun(view: RunView, start: { new: true } | { resumedFrom: string | null }): void {
  const early = earlyEvents.take(view.runId);
  if ('new' in start) for (const event of early) if (event.type === 'run-event') applyRunEvent(view, event.event);
  app.run = view;
  app.screen = 'training';
  follower.followOwn(view.runId, 'new' in start ? null : start.resumedFrom);
  const ended = 'new' in start ? early.find((event) => event.type === 'run-ended') : undefined;
  void catchUp().finally(() => ended && runEnded(ended.runId, ended.status, ended.error));
}

export async function openRun(runId: string, screen: Screen): Promise<void> {
  const view = showStoredRun(await api().getRun({ runId }));
  app.screen = screen;
  if (view.status === 'running') follower.follow(runId);
}

/** A run's event or end, as the window's event channel brings it. */
export function onRunChannelEvent(event: RunChannelEvent): void {
  if (app.run?.runId !== event.runId) earlyEvents.keep(event);
  if (event.type === 'run-ended') runEnded(event.runId, event.status, event.error);
  else {
    follower.heard(event.runId);
    if (catchingUp?.runId === event.runId) catchingUp.since.push(event.event);
    else if (app.run?.runId === event.runId) applyRunEvent(app.run, event.event);
  }
}

/** The window's event channel is back after a drop (a browser's socket): the run in view catches up. */
export function onEventsResumed(): void {
  void catchUp();
}
