import { BackendRequestSchema, MethodSchema, OptimizerSchema, PresetNameSchema, ScheduleSchema, type RunConfig, type RunConfigOverrides } from '../contract/run-config';
import { resolveConfig } from '../engine/presets';
import { choiceFlag, integerFlag, numberFlag } from './args';

/** The flags `run` and `study` share. */
export const RUN_FLAGS = {
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
  'init-from-teacher': { type: 'boolean' },
  'feature-pairs': { type: 'string' },
  'hint-epochs': { type: 'string' },
  'at-weight': { type: 'string' },
  'dkd-alpha': { type: 'string' },
  'dkd-beta': { type: 'string' },
  'dkd-warmup': { type: 'string' },
  'student-jitter': { type: 'string' },
  flip: { type: 'boolean' },
  'weight-decay': { type: 'string' },
  milestones: { type: 'string' },
  'image-size': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const RUN_FLAGS_USAGE = `[--preset quick|hinton-mnist|vgg19-vgg11-cifar10|resnet34-resnet18-cifar10|resnet56-resnet20-cifar100] [--dataset mnist|PATH] [--teacher NAME|PATH] [--student NAME]
            [--method kd|baseline|fitnet|at|dkd] [--temperature T] [--alpha A] [--epochs N] [--teacher-epochs N]
            [--batch-size B] [--lr LR] [--optimizer sgd|adam] [--limit-train N] [--limit-test N]
            [--seed S] [--backend auto|cpu|wasm|webgpu|tensorflow] [--out DIR] [--runs-dir DIR]
            [--teacher-jitter PX] [--teacher-dropout P] [--schedule constant|step|cosine] [--no-baseline]
            [--init-from-teacher] [--feature-pairs S:T[,…]] [--hint-epochs N] [--at-weight W]
            [--dkd-alpha A] [--dkd-beta B] [--dkd-warmup N] [--student-jitter PX] [--flip]
            [--weight-decay WD] [--milestones E1,E2,…] [--image-size PX] [--json]`;

type FlagValues = { [K in keyof typeof RUN_FLAGS]?: (typeof RUN_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** Flags → a validated config: the preset's values with every given flag applied. */
export function configFromFlags(values: FlagValues): RunConfig {
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
    initFromTeacher: values['init-from-teacher'] ? true : undefined,
    featurePairs: values['feature-pairs'],
    hintEpochs: integerFlag('hint-epochs', values['hint-epochs']),
    atWeight: numberFlag('at-weight', values['at-weight']),
    dkdAlpha: numberFlag('dkd-alpha', values['dkd-alpha']),
    dkdBeta: numberFlag('dkd-beta', values['dkd-beta']),
    dkdWarmup: integerFlag('dkd-warmup', values['dkd-warmup']),
    studentJitter: integerFlag('student-jitter', values['student-jitter']),
    flip: values.flip ? true : undefined,
    weightDecay: numberFlag('weight-decay', values['weight-decay']),
    lrMilestones: values.milestones === undefined ? undefined : values.milestones.split(',').map((m) => integerFlag('milestones', m)!),
    imageSize: integerFlag('image-size', values['image-size']),
  };
  return resolveConfig(preset, overrides);
}
