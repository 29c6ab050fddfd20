import type { RunDetail } from '../../../electron/contract/api';
import type { BackendInfo, EpochEndEvent, Phase, RunEvent, RunResult, RunStatus, TrainerProgressEvent } from '../../../electron/contract/events';
import type { RunConfig } from '../../../electron/contract/run-config';

export type PhaseState = 'waiting' | 'training' | 'done' | 'loaded' | 'skipped';

/** Everything the Training and Results screens show of one run, live or reopened. */
export interface RunView {
  runId: string;
  status: RunStatus;
  error?: string;
  config: RunConfig | null;
  backend: BackendInfo | null;
  phases: Record<Phase, { state: PhaseState; model: string; latest: TrainerProgressEvent | null }>;
  epochs: EpochEndEvent[];
  /** Training loss over fractional epochs, sampled from progress events. */
  loss: Array<{ phase: Phase; x: number; y: number }>;
  result: RunResult | null;
}

export function emptyRunView(runId: string, config: RunConfig | null): RunView {
  const phase = (model: string) => ({ state: 'waiting' as PhaseState, model, latest: null });
  return {
    runId,
    status: 'running',
    config,
    backend: null,
    phases: { teacher: phase(config?.teacher ?? ''), student: phase(config?.student ?? ''), baseline: phase(config?.student ?? '') },
    epochs: [],
    loss: [],
    result: null,
  };
}

/** Folds one engine event into the view (mutates: the view is Svelte state). */
export function applyRunEvent(view: RunView, event: RunEvent): void {
  switch (event.type) {
    case 'started':
      view.backend = event.backend;
      break;
    case 'phase':
      view.phases[event.phase].model = event.model;
      view.phases[event.phase].state = event.status === 'start' ? 'training' : event.status;
      break;
    case 'progress':
      view.phases[event.phase].latest = event;
      view.phases[event.phase].state = 'training';
      view.loss.push({ phase: event.phase, x: event.epoch - 1 + event.step / event.steps, y: event.loss });
      break;
    case 'epoch':
      view.epochs.push(event);
      view.loss.push({ phase: event.phase, x: event.epoch, y: event.trainLoss });
      break;
  }
}

export function runViewFromDetail(detail: RunDetail): RunView {
  const view = emptyRunView(detail.runId, detail.config);
  for (const event of detail.metrics) applyRunEvent(view, event);
  view.status = detail.status;
  view.error = detail.error;
  view.result = detail.result;
  return view;
}
