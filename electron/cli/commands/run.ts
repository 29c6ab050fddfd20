import cliProgress from 'cli-progress';
import type { Phase, RunEvent, RunResult } from '../../contract/events';
import { BackendRequestSchema, MethodSchema, OptimizerSchema, PresetNameSchema, ScheduleSchema, type RunConfigOverrides } from '../../contract/run-config';
import { resolveConfig } from '../../engine/presets';
import { runDistillation } from '../../engine/runs/pipeline';
import { choiceFlag, integerFlag, numberFlag, parseFlags } from '../args';
import { formatBytes, formatPercent, formatSeconds, table } from '../format';

export const RUN_USAGE = `distill run [--preset quick|hinton-mnist] [--dataset mnist|PATH] [--teacher NAME|PATH] [--student NAME]
            [--method kd|baseline] [--temperature T] [--alpha A] [--epochs N] [--teacher-epochs N]
            [--batch-size B] [--lr LR] [--optimizer sgd|adam] [--limit-train N] [--limit-test N]
            [--seed S] [--backend auto|cpu|wasm|webgpu|tensorflow] [--out DIR] [--runs-dir DIR]
            [--teacher-jitter PX] [--teacher-dropout P] [--schedule constant|step|cosine]
            [--no-baseline] [--json]`;

export async function runCommand(args: string[], signal: AbortSignal): Promise<number> {
  const { values } = parseFlags(args, {
    preset: { type: 'string' },
    dataset: { type: 'string' },
    teacher: { type: 'string' },
    student: { type: 'string' },
    method: { type: 'string' },
    temperature: { type: 'string' },
    alpha: { type: 'string' },
    epochs: { type: 'string' },
    'teacher-epochs': { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    'limit-train': { type: 'string' },
    'limit-test': { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    out: { type: 'string' },
    'runs-dir': { type: 'string' },
    'teacher-jitter': { type: 'string' },
    'teacher-dropout': { type: 'string' },
    schedule: { type: 'string' },
    'no-baseline': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const preset = choiceFlag('preset', values.preset, PresetNameSchema.options) ?? 'quick';
  const overrides: RunConfigOverrides = {
    dataset: values.dataset,
    teacher: values.teacher,
    student: values.student,
    method: choiceFlag('method', values.method, MethodSchema.options),
    temperature: numberFlag('temperature', values.temperature),
    alpha: numberFlag('alpha', values.alpha),
    epochs: integerFlag('epochs', values.epochs),
    teacherEpochs: integerFlag('teacher-epochs', values['teacher-epochs']),
    batchSize: integerFlag('batch-size', values['batch-size']),
    lr: numberFlag('lr', values.lr),
    optimizer: choiceFlag('optimizer', values.optimizer, OptimizerSchema.options),
    limitTrain: integerFlag('limit-train', values['limit-train']),
    limitTest: integerFlag('limit-test', values['limit-test']),
    seed: integerFlag('seed', values.seed),
    backend: choiceFlag('backend', values.backend, BackendRequestSchema.options),
    teacherJitter: integerFlag('teacher-jitter', values['teacher-jitter']),
    teacherDropout: numberFlag('teacher-dropout', values['teacher-dropout']),
    schedule: choiceFlag('schedule', values.schedule, ScheduleSchema.options),
    trainBaseline: values['no-baseline'] ? false : undefined,
  };
  const config = resolveConfig(preset, overrides);
  const json = values.json === true;
  const view = json ? jsonView() : process.stderr.isTTY ? barsView() : linesView();
  try {
    const result = await runDistillation({ config, outDir: values.out, runsRoot: values['runs-dir'], signal, onEvent: view.onEvent });
    view.done(result);
    return 0;
  } finally {
    view.stop();
  }
}

interface RunView {
  onEvent(event: RunEvent): void;
  done(result: RunResult): void;
  stop(): void;
}

function jsonView(): RunView {
  return {
    onEvent: (event) => process.stdout.write(JSON.stringify(event) + '\n'),
    done: (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    stop: () => {},
  };
}

const PHASE_LABEL: Record<Phase, string> = { teacher: 'teacher ', student: 'KD student', baseline: 'alone   ' };

function describeEvent(event: RunEvent): string | null {
  switch (event.type) {
    case 'started':
      return `run ${event.runId} → ${event.outDir}\nbackend ${event.backend.name} on ${event.backend.device} (${event.backend.reason})`;
    case 'phase':
      return event.status === 'loaded' ? `teacher loaded from ${event.model}` : event.status === 'start' ? `${PHASE_LABEL[event.phase].trim()} ${event.model}: training` : null;
    case 'epoch':
      return `${PHASE_LABEL[event.phase].trim()} epoch ${event.epoch}/${event.epochs}: loss ${event.trainLoss.toFixed(4)}, train ${formatPercent(event.trainAccuracy)}, test ${formatPercent(event.testAccuracy)} (${formatSeconds(event.seconds)})`;
    default:
      return null;
  }
}

/** When stderr is not a terminal (logs, CI): one line per phase and epoch. */
function linesView(): RunView {
  return {
    onEvent(event) {
      const line = describeEvent(event);
      if (line) process.stderr.write(line + '\n');
    },
    done: (result) => process.stdout.write('\n' + formatResult(result) + '\n'),
    stop: () => {},
  };
}

/** In a terminal: a live bar per phase. */
function barsView(): RunView {
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
  const phaseBars = new Map<Phase, cliProgress.SingleBar>();
  return {
    onEvent(event) {
      switch (event.type) {
        case 'started':
          bars.log(describeEvent(event) + '\n');
          break;
        case 'phase':
          if (event.status === 'loaded') bars.log(describeEvent(event) + '\n');
          if (event.status === 'start') {
            phaseBars.set(event.phase, bars.create(1, 0, { label: `${PHASE_LABEL[event.phase]} ${event.model}`.padEnd(24), epoch: 0, epochs: 0, loss: '–', acc: '–', ips: '–', remaining: '–' }));
          }
          break;
        case 'progress': {
          const bar = phaseBars.get(event.phase);
          bar?.setTotal(event.epochs * event.steps);
          bar?.update((event.epoch - 1) * event.steps + event.step, {
            epoch: event.epoch,
            epochs: event.epochs,
            loss: event.loss.toFixed(4),
            acc: formatPercent(event.accuracy),
            ips: event.imgPerSec.toFixed(0),
            remaining: formatSeconds(event.etaSec),
          });
          break;
        }
        case 'epoch':
          phaseBars.get(event.phase)?.update({ acc: `${formatPercent(event.trainAccuracy)} (test ${formatPercent(event.testAccuracy)})` });
          break;
      }
    },
    done(result) {
      bars.stop();
      process.stdout.write('\n' + formatResult(result) + '\n');
    },
    stop: () => bars.stop(),
  };
}

export function formatResult(result: RunResult): string {
  const rows: string[][] = [];
  const add = (role: string, report: RunResult['teacher']) => {
    if (!report) return;
    rows.push([role, report.name, report.params.toLocaleString('en-US'), formatBytes(report.bytes), formatPercent(report.accuracy), `${report.latencyMs.toFixed(2)} ms`]);
  };
  add('teacher', result.teacher);
  add('KD student', result.student);
  add('student alone', result.baseline);
  const lines = [table(['', 'model', 'params', 'size', 'test accuracy', 'latency/image'], rows)];
  if (result.kdGain !== null) {
    const points = result.kdGain * 100;
    lines.push(`\nKD gain over the student alone: ${points >= 0 ? '+' : ''}${points.toFixed(2)} points`);
  }
  if (result.teacher && result.student) {
    lines.push(`student is ${(result.teacher.params / result.student.params).toFixed(1)}× smaller than the teacher`);
  }
  lines.push(`backend ${result.backend.name} · ${formatSeconds(result.seconds)} · saved in ${result.outDir}`);
  return lines.join('\n');
}
