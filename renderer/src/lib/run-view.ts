import type { RunCommandLines, RunDetail, RunNotes } from '../../../electron/contract/api';
import type { BackendInfo, EpochEndEvent, RunEvent, RunResult, RunStatus, Selection, StudyResult, SweepCellEvent, TrainerProgressEvent } from '../../../electron/contract/events';
import type { RunConfig } from '../../../electron/contract/run-config';
import { inAppWords, parseStudyEntry } from '../../../electron/contract/catalogue';
import { epochFraction, studyEntryTitle, sweepFraction } from '../../../electron/contract/display';
import { keptEpoch, laneColor, laneTitle, seedRepeat, shownMethod, studentLaneMethod, studentTitle } from './display';

export type PhaseState = 'waiting' | 'training' | 'done' | 'loaded' | 'skipped';

/** One model being trained: teacher, KD student, student alone — or one method of a study. */
export interface Lane {
  key: string;
  title: string;
  color: string;
  model: string;
  state: PhaseState;
  latest: TrainerProgressEvent | null;
  /** The epoch a finished lane kept (the best on the validation split), and where it stopped. */
  selection?: Selection | undefined;
}

/** Everything the Training and Results screens show of one run or study, live or reopened. */
export interface RunView {
  runId: string;
  kind: 'run' | 'study';
  status: RunStatus;
  error?: string;
  config: RunConfig | null;
  backend: BackendInfo | null;
  lanes: Lane[];
  epochs: Array<EpochEndEvent & { lane: string }>;
  /** Training loss over fractional epochs, sampled from progress events. */
  loss: Array<{ lane: string; x: number; y: number }>;
  result: RunResult | null;
  study: StudyResult | null;
  /** A T × α sweep's cells as they finish (`--sweep`, `distill sweep`). */
  sweepCells: SweepCellEvent[];
  /** The sweep's finalists, trained again on every training image (round 2). */
  sweepFinals: SweepCellEvent[];
  /** The name and notes someone gave the run, or null. */
  notes: RunNotes | null;
  /** A completed run's `distill` commands that train it again, as stored (null until read, or where none can say it). */
  commandLines: RunCommandLines | null;
  /** A study's entries (`kd`, `sp+kd`, …); none for a run. */
  studyEntries: string[];
}

/** A study's students are lanes by method; every cell of a T × α sweep shares one `sweep` lane. */
const isSweep = (method: string | undefined) => method?.startsWith('sweep') ?? false;
const laneKey = (event: { phase: string; method?: string }) => (isSweep(event.method) ? 'sweep' : (event.method ?? event.phase));

/**
 * With `--try-dist` (a run, not a study) the `student` lane is KD's entrant and `dist` DIST's,
 * whichever was kept; a run's restart (`dist#3`, `baseline#2`) is its lane's title and seed.
 */
function laneTitleIn(view: RunView, key: string): string {
  const repeat = seedRepeat(key);
  if (view.kind === 'run' && repeat) return `${laneTitleIn(view, repeat.entry)} (seed ${repeat.seed})`;
  // A study's entry (and its seeds' repeats) as its row reads it: "SP + KD" under --kd-weight too.
  const entry = repeat?.entry ?? key;
  if (view.kind === 'study' && view.config && entry !== 'teacher' && entry !== 'baseline' && parseStudyEntry(entry)) {
    const title = studyEntryTitle(entry, view.studyEntries, view.config.methodOptions);
    return `${title.charAt(0).toUpperCase()}${title.slice(1)}${repeat ? ` (seed ${repeat.seed})` : ''}`;
  }
  if (view.kind === 'run' && view.config?.tryDist && key === 'dist') return studentTitle('dist');
  return laneTitle(key, view.kind === 'run' && view.config ? shownMethod(studentLaneMethod(view.config), view.config.methodOptions) : view.config?.method);
}

function lane(view: RunView, key: string, model: string): Lane {
  let found = view.lanes.find((l) => l.key === key);
  if (!found) {
    // A seed's repeat of a study entry wears its entry's colour (and is drawn dashed).
    const repeat = seedRepeat(key);
    const color = (repeat && view.lanes.find((l) => l.key === repeat.entry)?.color) || laneColor(key, view.lanes.filter((l) => !seedRepeat(l.key)).length);
    found = { key, title: laneTitleIn(view, key), color, model, state: 'waiting', latest: null };
    // Beside its entry's lanes (an ensemble's later teachers under the teacher, a restart under its
    // student), not after every lane the run had named up front.
    const after = repeat ? view.lanes.findLastIndex((l) => l.key === repeat.entry || seedRepeat(l.key)?.entry === repeat.entry) : -1;
    if (after >= 0) view.lanes.splice(after + 1, 0, found);
    else view.lanes.push(found);
  }
  return found;
}

/** A new view; studies name their methods up front so every lane shows from the start. */
export function emptyRunView(runId: string, config: RunConfig | null, studyMethods: string[] | null = null): RunView {
  const view: RunView = { runId, kind: studyMethods ? 'study' : 'run', status: 'running', config, backend: null, lanes: [], epochs: [], loss: [], result: null, study: null, sweepCells: [], sweepFinals: [], notes: null, commandLines: null, studyEntries: studyMethods ?? [] };
  const keys = studyMethods ? ['teacher', ...studyMethods] : ['teacher', ...(config?.sweep ? ['sweep'] : []), 'student', ...(config?.tryDist ? ['dist'] : []), 'baseline'];
  for (const key of keys) lane(view, key, key === 'teacher' ? (config?.teacher.split(/[\\/]/).at(-2) ?? config?.teacher ?? '') : (config?.student ?? ''));
  return view;
}

/**
 * Adds a loss point to its lane's curve. A lane that goes back in x is training an epoch again (a
 * resume from its checkpoint): the points from there on are from the try that was cut short, and
 * go (as does a last step's point when its epoch's line brings the same loss).
 */
function pushLoss(view: RunView, point: RunView['loss'][number]): void {
  const last = view.loss.findLast((p) => p.lane === point.lane);
  if (last && last.x >= point.x) view.loss = view.loss.filter((p) => p.lane !== point.lane || p.x < point.x);
  view.loss.push(point);
}

/** Folds one engine event into the view (mutates: the view is Svelte state). */
export function applyRunEvent(view: RunView, event: RunEvent): void {
  switch (event.type) {
    case 'started':
      view.backend = event.backend;
      break;
    case 'phase': {
      const l = lane(view, laneKey(event), event.model);
      l.model = event.model;
      l.state = event.status === 'start' || event.status === 'resumed' ? 'training' : event.status;
      // A lane's last `done` says what it kept: an ensemble's, after its first teacher's, keeps no one epoch.
      if (event.status === 'done') l.selection = event.selection;
      else if (event.selection) l.selection = event.selection;
      break;
    }
    case 'progress': {
      const l = lane(view, laneKey(event), '');
      l.latest = event;
      l.state = 'training';
      // A width the selection steps pass through is not the lane's model: its loss is not the lane's curve.
      if (!event.via) pushLoss(view, { lane: l.key, x: event.epoch - 1 + event.step / event.steps, y: event.loss });
      break;
    }
    case 'sweep-cell': {
      // A resumed sweep replays the cells it kept, which the stored events already hold: one entry per cell.
      const list = event.round === 2 ? view.sweepFinals : view.sweepCells;
      const at = list.findIndex((c) => c.cell === event.cell && c.init === event.init);
      if (at >= 0) list[at] = event;
      else list.push(event);
      break;
    }
    case 'epoch':
      view.epochs.push({ ...event, lane: laneKey(event) });
      pushLoss(view, { lane: laneKey(event), x: event.epoch, y: event.trainLoss });
      break;
  }
}

/** Folds a run folder's events into the view; its progress lines are samples for the loss curve, so a lane's last one is not where it stands now. */
export function applyStoredEvents(view: RunView, metrics: RunEvent[]): void {
  for (const event of metrics) applyRunEvent(view, event);
  for (const l of view.lanes) l.latest = null;
}

export function runViewFromDetail(detail: RunDetail): RunView {
  const studyMethods = detail.study ? detail.study.rows.map((r) => r.method) : null;
  const view = emptyRunView(detail.runId, detail.config, studyMethods);
  // A study that did not finish has no table yet, but is a study (a run's DIST lane is not one).
  view.kind = detail.kind;
  applyStoredEvents(view, detail.metrics);
  if (view.kind === 'study') view.lanes = view.lanes.filter((l) => l.key !== 'student' && l.key !== 'baseline' || l.state !== 'waiting');
  // A completed run shows the lanes it trained: a sweep alone has a config that also names the
  // students it did not train. (A run that stopped keeps its waiting lanes: a resume trains them.)
  if (detail.status === 'completed') view.lanes = view.lanes.filter((l) => l.state !== 'waiting');
  view.status = detail.status;
  view.error = detail.error === undefined ? undefined : inAppWords(detail.error);
  view.result = detail.result;
  view.study = detail.study;
  view.notes = detail.notes ?? null;
  view.commandLines = detail.commandLines ?? null;
  return view;
}

/**
 * Whether a lane may stop before its last epoch (a validation split and early stopping), so that
 * its ETA, which counts to the last epoch, is a bound rather than a forecast.
 */
export function mayStopEarly(config: Pick<RunConfig, 'validationSplit' | 'teacherPatience' | 'studentPatience'>, laneKey: string): boolean {
  if (config.validationSplit <= 0 || laneKey === 'sweep') return false;
  return (laneKey === 'teacher' ? config.teacherPatience : config.studentPatience) !== null;
}

/** What a finished lane kept: "kept epoch 17 of 25 (stopped early; at most 60)". */
export function keptEpochText(selection: Selection): string {
  return `${keptEpoch(selection)}${selection.stoppedEarly ? ` (stopped early; at most ${selection.epochs})` : ''}`;
}

/** How many cells a run's sweep trains: the engine counts the finalists' second round in every cell event; before the first, the grid. */
export function sweepTotal(view: Pick<RunView, 'config' | 'sweepCells' | 'sweepFinals'>): number {
  const config = view.config;
  if (!config?.sweep) return 0;
  return view.sweepFinals.at(-1)?.cells ?? view.sweepCells.at(-1)?.cells ?? config.sweepTemperatures.length * config.sweepAlphas.length;
}

/** How far a lane is, 0–1: the sweep lane over all its cells, any other over its epochs. */
export function laneFraction(view: Pick<RunView, 'config' | 'sweepCells' | 'sweepFinals'>, lane: Pick<Lane, 'key' | 'state' | 'latest'>): number {
  if (lane.state === 'done' || lane.state === 'loaded') return 1;
  const within = lane.latest ? epochFraction(lane.latest) : 0;
  const total = lane.key === 'sweep' ? sweepTotal(view) : 0;
  return total > 0 ? sweepFraction(view.sweepCells.length + view.sweepFinals.length, total, lane.state === 'training' ? within : 0) : within;
}

/**
 * The window's (or tab's) title: while the run in view trains, the lane training now and how far
 * it is, so a person in another window sees it on the taskbar ("37% · KD student · Distill Studio").
 */
export function runTitle(view: RunView | null, app = 'Distill Studio'): string {
  if (view?.status !== 'running') return app;
  const lane = view.lanes.find((l) => l.state === 'training' && l.latest) ?? view.lanes.find((l) => l.state === 'training');
  return lane ? `${Math.floor(laneFraction(view, lane) * 100)}% · ${lane.title} · ${app}` : `training · ${app}`;
}
