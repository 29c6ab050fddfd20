import cliProgress from 'cli-progress';
import type { Phase, RunEvent } from '../contract/events';
import { formatBackendDevice, formatDuration, formatPercent, formatStepMode, studentTitle } from '../contract/display';

const formatSeconds = (seconds: number) => formatDuration(seconds, true);

/** How a run or study shows itself in the terminal while it trains; `done` prints the final text or JSON line. */
export interface ProgressPrinter {
  onEvent(event: RunEvent): void;
  done(text: string): void;
  stop(): void;
}

const PHASE_LABEL: Record<Exclude<Phase, 'student'>, string> = { teacher: 'teacher', baseline: 'alone' };
/** A study's lane by its method; a run's student by the run's method (`--method dist`: "DIST student"). */
const labelOf = (event: { phase: Phase; method?: string }, runMethod?: string) => event.method ?? (event.phase === 'student' ? studentTitle(runMethod) : PHASE_LABEL[event.phase]);

export function describeEvent(event: RunEvent, runMethod?: string): string | null {
  const label = (e: { phase: Phase; method?: string }) => labelOf(e, runMethod);
  switch (event.type) {
    case 'started':
      return `${event.resumed ? 'resuming ' : ''}run ${event.runId} → ${event.outDir}\nbackend ${event.backend.name} on ${formatBackendDevice(event.backend)} (${event.backend.reason})`;
    case 'phase':
      if (event.status === 'loaded') return event.phase === 'teacher' && !event.detail ? `teacher loaded from ${event.model}` : `${label(event)} ${event.model}: ${event.detail ?? 'loaded'}`;
      if (event.status === 'done') return event.detail ? `${label(event)} ${event.model}: ${event.detail}` : null;
      if (event.status !== 'start' && event.status !== 'resumed') return null;
      return `${label(event)} ${event.model}: ${event.status === 'resumed' ? 'resuming' : 'training'}${event.detail ? ` (${event.detail})` : ''}`;
    case 'epoch':
      return `${label(event)} epoch ${event.epoch}/${event.epochs}: loss ${event.trainLoss.toFixed(4)}, train ${formatPercent(event.trainAccuracy)}, ${event.valAccuracy !== undefined ? `validation ${formatPercent(event.valAccuracy)}, ` : ''}test ${formatPercent(event.testAccuracy)} (${formatSeconds(event.seconds)})`;
    case 'sweep-cell':
      return `sweep ${event.round === 2 ? 'finalist' : `${event.cell}/${event.cells}`}: T = ${event.temperature}, α = ${event.alpha}${event.init ? ", from the teacher's weights," : ''}${event.round === 2 ? ' on every training image' : ''} → ${event.diverged ? 'did not train (chance level or a loss that is not a number)' : `validation ${formatPercent(event.valAccuracy)}`} (${formatSeconds(event.seconds)}${event.kept ? ', trained before the run was resumed' : ''})`;
    default:
      return null;
  }
}

/** A line when a phase's steps start or stop replaying a recorded step (webgpu), else null. */
function stepModeLines(runMethod?: string): (event: RunEvent) => string | null {
  const last = new Map<string, string>();
  return (event) => {
    if (event.type !== 'progress' || !event.stepMode) return null;
    const line = `${labelOf(event, runMethod)}: ${formatStepMode(event.stepMode)}`;
    if (last.get(labelOf(event, runMethod)) === line) return null;
    last.set(labelOf(event, runMethod), line);
    return line;
  };
}

/** --json: every event as a JSON line on stdout, then the final line. */
function jsonView(): ProgressPrinter {
  return {
    onEvent: (event) => process.stdout.write(JSON.stringify(event) + '\n'),
    done: (line) => process.stdout.write(line + '\n'),
    stop: () => {},
  };
}

/** When stderr is not a terminal (logs, CI): one line per phase and epoch. */
function linesView(runMethod?: string): ProgressPrinter {
  const stepMode = stepModeLines(runMethod);
  return {
    onEvent(event) {
      const line = describeEvent(event, runMethod) ?? stepMode(event);
      if (line) process.stderr.write(line + '\n');
    },
    done: (text) => process.stdout.write('\n' + text + '\n'),
    stop: () => {},
  };
}

/** In a terminal: a live bar per phase (per method in a study). */
function barsView(runMethod?: string): ProgressPrinter {
  const bars = new cliProgress.MultiBar(
    {
      format: '{label} |{bar}| epoch {epoch}/{epochs} · loss {loss} · acc {acc} · {ips} img/s · ETA {remaining}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const byLabel = new Map<string, cliProgress.SingleBar>();
  const stepMode = stepModeLines(runMethod);
  return {
    onEvent(event) {
      switch (event.type) {
        case 'started':
          bars.log(describeEvent(event, runMethod) + '\n');
          break;
        case 'phase':
          if (event.status === 'loaded' || event.detail) bars.log(describeEvent(event, runMethod) + '\n');
          if (event.status === 'start' || event.status === 'resumed') {
            byLabel.set(labelOf(event, runMethod), bars.create(1, 0, { label: `${labelOf(event, runMethod)} ${event.model}`.padEnd(24), epoch: 0, epochs: 0, loss: '–', acc: '–', ips: '–', remaining: '–' }));
          }
          break;
        case 'progress': {
          const mode = stepMode(event);
          if (mode) bars.log(mode + '\n');
          // The selection steps train before their lane's phase starts: one bar for them, naming the width in training.
          const key = event.via ? `${labelOf(event, runMethod)} steps` : labelOf(event, runMethod);
          const via = event.via ? { label: `${labelOf(event, runMethod)} via ${event.via}`.padEnd(24) } : {};
          if (event.via && !byLabel.has(key)) byLabel.set(key, bars.create(1, 0, { ...via, epoch: 0, epochs: 0, loss: '–', acc: '–', ips: '–', remaining: '–' }));
          const bar = byLabel.get(key);
          bar?.setTotal(event.epochs * event.steps);
          bar?.update((event.epoch - 1) * event.steps + event.step, {
            ...via,
            epoch: event.epoch,
            epochs: event.epochs,
            loss: event.loss.toFixed(4),
            acc: formatPercent(event.accuracy),
            ips: event.imgPerSec.toFixed(0),
            remaining: formatSeconds(event.etaSec),
          });
          break;
        }
        case 'sweep-cell':
          bars.log(describeEvent(event, runMethod) + '\n');
          break;
        case 'epoch':
          byLabel.get(labelOf(event, runMethod))?.update({ acc: `${formatPercent(event.trainAccuracy)} (test ${formatPercent(event.testAccuracy)})` });
          break;
      }
    },
    done(text) {
      bars.stop();
      process.stdout.write('\n' + text + '\n');
    },
    stop: () => bars.stop(),
  };
}

export function createProgressPrinter(json: boolean, runMethod?: string): ProgressPrinter {
  return json ? jsonView() : process.stderr.isTTY ? barsView(runMethod) : linesView(runMethod);
}
