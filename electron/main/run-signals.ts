import type { ApiEvent, RunSummary } from '../contract/api';
import { epochFraction, formatPercent, formatPoints, sweepFraction } from '../contract/display';
import type { RunEvent } from '../contract/events';
import { historyCells, runOutcome } from '../contract/history';

/** A system notification's words. */
export interface RunNotice {
  title: string;
  body: string;
}

/**
 * What the desktop does for a run that takes minutes to an hour: Electron's powerSaveBlocker,
 * the taskbar's (or dock's) progress bar and notifications, or a test's stand-in.
 */
export interface DesktopShell {
  /** Keeps the machine from suspending while on (the screen may still turn off). */
  keepAwake(on: boolean): void;
  /** The taskbar's progress bar, 0–1; null takes it away. */
  showProgress(fraction: number | null): void;
  /** A system notification; a click on it brings the app's window forward. */
  notify(notice: RunNotice): void;
  /** Whether a window of the app has focus: the window then shows the end itself. */
  hasFocus(): boolean;
}

type Ended = Extract<ApiEvent, { type: 'run-ended' }>;
type Summary = Pick<RunSummary, 'runId' | 'kind' | 'config' | 'result' | 'study' | 'notes'>;

const NOTICE_BODY_CHARS = 200;
const clip = (text: string) => (text.length > NOTICE_BODY_CHARS ? `${text.slice(0, NOTICE_BODY_CHARS - 1)}…` : text);

/**
 * What a run's end says when the person is elsewhere: what came of it, in History's words, or why
 * it failed. A run the person cancelled says nothing: they were there. The summary is null where
 * the run could not be read back (its process died): the end is told without its figures.
 */
export function runEndNotice(ended: Pick<Ended, 'runId' | 'status' | 'error'>, summary: Summary | null): RunNotice | null {
  if (ended.status === 'cancelled' || ended.status === 'running') return null;
  const what = summary?.kind === 'study' ? 'Study' : summary?.result?.sweep && !summary.result.student ? 'T × α sweep' : 'Distillation';
  if (ended.status === 'failed') return { title: `${what} failed`, body: clip(`Run ${ended.runId}: ${ended.error?.split('\n')[0] || 'it stopped before the end'}`) };
  if (!summary) return { title: `${what} finished`, body: `Run ${ended.runId} is complete: its results are in History.` };
  const cells = historyCells(summary);
  const outcome = runOutcome(summary);
  let figures: string;
  if (what === 'T × α sweep') figures = cells.tag ?? 'the sweep is complete';
  else if (outcome.student === null) figures = `teacher ${cells.teacher}`;
  else {
    const student = outcome.best ? `best distilled student (${outcome.best.label}) ${formatPercent(outcome.student)}` : `distilled student ${formatPercent(outcome.student)}`;
    figures = outcome.gain === null ? student : `${student}, ${formatPoints(outcome.gain)} points over the student alone`;
  }
  const named = summary.notes?.name ? `${summary.notes.name}, ` : '';
  return { title: `${what} finished`, body: clip(`${named}${cells.models}: ${figures}`) };
}

interface Training {
  /** Sweep cells finished (each once, a resumed sweep's replayed ones too) and how many the sweep trains. */
  sweepDone: Set<string>;
  sweepCells: number;
}

/**
 * Follows the events main passes to the windows and keeps the desktop in step: the machine awake
 * while any run trains, the taskbar's bar at the model training now (a sweep's bar over all its
 * cells), and a notification at the end when no window of the app has focus.
 */
export class RunSignals {
  private readonly training = new Map<string, Training>();
  private shownPercent: number | null = null;

  constructor(
    private readonly shell: DesktopShell,
    private readonly readRun: (runId: string) => Promise<Summary | null>,
  ) {}

  observe(event: ApiEvent): void {
    if (event.type === 'run-event') this.onRunEvent(event.runId, event.event);
    else if (event.type === 'run-ended') void this.onEnded(event);
  }

  private onRunEvent(runId: string, event: RunEvent): void {
    let run = this.training.get(runId);
    if (!run) {
      run = { sweepDone: new Set(), sweepCells: 0 };
      this.training.set(runId, run);
      if (this.training.size === 1) this.shell.keepAwake(true);
    }
    if (event.type === 'sweep-cell') {
      run.sweepDone.add(`${event.round ?? 1}:${event.cell}:${event.init ?? false}`);
      run.sweepCells = event.cells;
    } else if (event.type === 'progress') {
      const within = epochFraction(event);
      const inSweep = (event.method?.startsWith('sweep') ?? false) && run.sweepCells > 0;
      this.show(inSweep ? sweepFraction(run.sweepDone.size, run.sweepCells, within) : within);
    }
  }

  private show(fraction: number | null): void {
    // Progress comes every few steps: the bar moves by whole percents.
    const percent = fraction === null ? null : Math.floor(fraction * 100);
    if (percent === this.shownPercent) return;
    this.shownPercent = percent;
    this.shell.showProgress(percent === null ? null : percent / 100);
  }

  private async onEnded(ended: Ended): Promise<void> {
    if (this.training.delete(ended.runId) && this.training.size === 0) {
      this.shell.keepAwake(false);
      this.show(null);
    }
    if (ended.status === 'cancelled' || this.shell.hasFocus()) return;
    const summary = await this.readRun(ended.runId).catch(() => null);
    const notice = runEndNotice(ended, summary);
    if (notice) this.shell.notify(notice);
  }
}
