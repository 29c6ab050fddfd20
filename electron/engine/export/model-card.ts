import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_FORMAT_CATALOGUE, optionsInEffect, type ExportFormatId } from '../../contract/catalogue';
import { formatBytes, formatKeptEpoch, formatPercentOrDash, methodLabel, shownMethod } from '../../contract/display';
import type { ModelReport, Selection } from '../../contract/events';
import type { RunConfig } from '../../contract/run-config';
import type { ModelMetadata } from '../runs/model-io';
import { startsFromTeacher } from '../methods/init-from-teacher';

/** What an export says about itself: `model-card.json` (and the same in words, `model-card.md`). */
export interface ModelCard {
  distillStudio: string;
  exportedAt: string;
  format: { id: ExportFormatId; label: string };
  role: 'teacher' | 'student' | 'baseline';
  architecture: string;
  dataset: { name: string; classes: number; classNames: string[] };
  /** Exactly what to do to an image before it goes in. */
  preprocessing: {
    layout: 'NHWC';
    /** uint8: the model takes an image's bytes and does the rest itself (`onnx-raw`). */
    inputType: 'float32' | 'uint8';
    /** The batch the file declares: any, or 1 (TFLite, whose runtimes can resize it). */
    batch: 'any' | 1;
    /** What of the preprocessing the model does itself (`onnx-raw`: all of it; TFLite: the normalisation). */
    inside: 'nothing' | 'normalization' | 'scaling and normalization';
    /** What the file takes, [height, width, channels]: RGB for a grey model's TFLite export, which makes it grey inside. */
    inputShape: [number, number, number];
    /** The file takes RGB and makes it grey as its first op, with BT.601's luma weights (a grey model's TFLite export). */
    greyInside: boolean;
    description: string;
    scale: number;
    normalization: { mean: number[]; std: number[] } | null;
  };
  output: 'logits' | 'probabilities';
  /** uint8: quantized outputs, read through the output tensor's scale and zero point (`tflite-uint8`). */
  outputType: 'float32' | 'uint8';
  training: {
    teacher: string | null;
    method: string;
    methodLabel: string;
    temperature: number | null;
    alpha: number | null;
    /** This model started from the teacher's weights (weight selection, or layers copied) rather than at random. */
    startedFromTeacher: boolean;
    studentEpochs: number;
    teacherEpochs: number;
    /** Where a validation split chose the epoch kept: the teacher's, and this model's (a student's). */
    kept?: CardKept;
    seed: number;
  } | null;
  accuracy: {
    teacher: number | null;
    student: number | null;
    studentAlone: number | null;
    /** This export on the same test split, measured after writing it. */
    exported: number | null;
    /** exported − the run's float32 accuracy for this model (negative: lost to quantization). */
    quantizationLoss: number | null;
    testImages: number | null;
  };
  size: { bytes: number; params: number | null; macs: number | null; latencyMsPerImage: number | null };
}

/** What a model card reads of a model's report: a study's row has these, a run's full report more. */
export type CardReport = Pick<ModelReport, 'name' | 'accuracy' | 'params'> & Partial<Pick<ModelReport, 'macs' | 'latencyMs'>>;

/** The epochs a run kept on its validation split: its teacher's, and the exported model's where it is a student. */
export type CardKept = { teacher?: Selection; model?: Selection };

export interface CardInputs {
  version: string;
  format: ExportFormatId;
  role: ModelCard['role'];
  metadata: ModelMetadata;
  config: RunConfig | null;
  reports: Record<'teacher' | 'student' | 'baseline', CardReport | null>;
  kept?: CardKept;
  exportedAccuracy: { accuracy: number; images: number } | null;
}

export async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}

export function buildModelCard(input: CardInputs, bytes: number): ModelCard {
  const { metadata, config, reports, role } = input;
  const own = reports[role];
  const kd = config?.methodOptions.kd;
  // KD's T and α where the run read them: KD's own, DIST's, DKD's T, a feature method's soft term's T (not α).
  const readsKd = (key: string) => config !== undefined && config !== null && optionsInEffect(config.method, config.methodOptions).some((ref) => ref.method === 'kd' && ref.key === key);
  const { inside, colour, batch, outputType } = EXPORT_FORMAT_CATALOGUE[input.format];
  const [height, width, channels] = metadata.inputShape as [number, number, number];
  const greyInside = colour === 'rgb' && channels === 1;
  return {
    distillStudio: input.version,
    exportedAt: new Date().toISOString(),
    format: { id: input.format, label: EXPORT_FORMAT_CATALOGUE[input.format].label },
    role,
    architecture: metadata.architecture,
    dataset: { name: metadata.dataset, classes: metadata.classNames.length, classNames: metadata.classNames },
    preprocessing: {
      layout: 'NHWC',
      inputType: inside === 'scaling and normalization' ? 'uint8' : 'float32',
      batch,
      inside,
      inputShape: [height, width, colour === 'rgb' ? 3 : channels],
      greyInside,
      description:
        inside === 'scaling and normalization'
          ? `none: the image's bytes go in as they are${greyInside ? ', RGB (a grey image as R = G = B)' : ''}; inside, ${greyInside ? "made grey (0.299 R + 0.587 G + 0.114 B, BT.601's luma), then " : ''}${metadata.preprocessing.replace(/, shape .*$/, '')}`
          : greyInside
            ? `RGB pixels / 255, shape [1, height, width, 3]; the model makes them grey (0.299 R + 0.587 G + 0.114 B, BT.601's luma; a grey image goes in as R = G = B)${metadata.normalization ? ' and normalises them' : ''} inside`
            : inside === 'normalization' && metadata.normalization
              ? `pixels / 255, shape [1, height, width, channels]; the per-channel normalisation is inside the model`
              : batch === 1
                ? metadata.preprocessing.replace('[batch,', '[1,')
                : metadata.preprocessing,
      scale: 1 / 255,
      normalization: metadata.normalization ?? null,
    },
    output: metadata.output,
    outputType,
    training: config
      ? {
          teacher: reports.teacher?.name ?? null,
          method: config.method,
          methodLabel: methodLabel(shownMethod(config.method, config.methodOptions) ?? config.method),
          temperature: readsKd('temperature') && kd ? kd.temperature : null,
          alpha: readsKd('alpha') && kd ? kd.alpha : null,
          startedFromTeacher: startsFromTeacher(config, role),
          studentEpochs: config.epochs,
          teacherEpochs: config.teacherEpochs,
          ...(input.kept && (input.kept.teacher || input.kept.model) ? { kept: input.kept } : {}),
          seed: config.seed,
        }
      : null,
    accuracy: {
      teacher: reports.teacher?.accuracy ?? null,
      student: reports.student?.accuracy ?? null,
      studentAlone: reports.baseline?.accuracy ?? null,
      exported: input.exportedAccuracy?.accuracy ?? null,
      quantizationLoss: input.exportedAccuracy && own ? input.exportedAccuracy.accuracy - own.accuracy : null,
      testImages: input.exportedAccuracy?.images ?? null,
    },
    size: { bytes, params: own?.params ?? null, macs: own?.macs ?? null, latencyMsPerImage: own?.latencyMs ?? null },
  };
}

const pct = formatPercentOrDash;

/** "60" when every epoch ran and the last was kept; "at most 60 (kept epoch 17 of 25, the best on the validation split)" otherwise. */
function epochsText(epochs: number, kept: Selection | undefined): string {
  if (!kept) return String(epochs);
  return `${kept.stoppedEarly ? 'at most ' : ''}${epochs} (${formatKeptEpoch(kept)})`;
}

export function modelCardMarkdown(card: ModelCard): string {
  const norm = card.preprocessing.normalization;
  const lines = [
    `# ${card.architecture} (${card.role}) — model card`,
    '',
    `Exported by Distill Studio ${card.distillStudio} on ${card.exportedAt} as **${card.format.label}** (\`${card.format.id}\`): ${EXPORT_FORMAT_CATALOGUE[card.format.id].description}.`,
    '',
    '## Input and output',
    '',
    `- Input: \`[${card.preprocessing.batch === 1 ? '1' : 'batch'}, ${card.preprocessing.inputShape.join(', ')}]\` (${card.preprocessing.layout}, ${card.preprocessing.inputType})${card.preprocessing.batch === 1 ? '; one image per call, or resize the input to a larger batch first' : ''}.`,
    `- Preprocessing: ${card.preprocessing.description}.`,
    `- ${card.preprocessing.inputType === 'uint8' ? 'Inside the model, pixels' : 'Pixels'} are divided by 255${norm ? `, then ${card.preprocessing.inside === 'normalization' ? 'inside the model ' : ''}each channel c becomes (x − mean[c]) / std[c] with mean = [${norm.mean.map((v) => v.toFixed(6)).join(', ')}] and std = [${norm.std.map((v) => v.toFixed(6)).join(', ')}]` : ''}.`,
    card.outputType === 'uint8'
      ? `- Output: ${card.dataset.classes} ${card.output} as uint8, in the order of \`labels.txt\`: the largest is the class; (q − zero point) · scale, the output tensor's quantization parameters, gives the ${card.output}.`
      : card.output === 'logits'
        ? `- Output: ${card.dataset.classes} logits, in the order of \`labels.txt\`; apply softmax for probabilities.`
        : `- Output: ${card.dataset.classes} probabilities, in the order of \`labels.txt\`.`,
    '',
    '## Data and training',
    '',
    `- Dataset: ${card.dataset.name}, ${card.dataset.classes} classes.`,
    ...(card.training
      ? [
          `- Method: ${card.training.methodLabel}${card.training.teacher ? `, teacher ${card.training.teacher}` : ''}${card.training.temperature !== null ? `, T = ${card.training.temperature}` : ''}${card.training.alpha !== null ? `, α = ${card.training.alpha}` : ''}${card.training.startedFromTeacher ? "; started from the teacher's weights" : ''}.`,
          `- Epochs: teacher ${epochsText(card.training.teacherEpochs, card.training.kept?.teacher)}, ${card.role === 'teacher' ? 'students' : 'student'} ${epochsText(card.training.studentEpochs, card.training.kept?.model)}; seed ${card.training.seed}.`,
        ]
      : []),
    '',
    '## Accuracy on the test split',
    '',
    '| model | test accuracy |',
    '| --- | ---: |',
    `| teacher | ${pct(card.accuracy.teacher)} |`,
    `| distilled student | ${pct(card.accuracy.student)} |`,
    `| student alone | ${pct(card.accuracy.studentAlone)} |`,
    `| **this export** | **${pct(card.accuracy.exported)}** |`,
    '',
    card.accuracy.quantizationLoss === null ? '' : `Change from the float32 ${card.role}: ${(card.accuracy.quantizationLoss * 100).toFixed(2)} points on ${card.accuracy.testImages?.toLocaleString('en-US')} test images.`,
    '',
    '## Size',
    '',
    `- Files: ${formatBytes(card.size.bytes)}; parameters: ${card.size.params?.toLocaleString('en-US') ?? '–'}; multiply–accumulates per image: ${card.size.macs?.toLocaleString('en-US') ?? '–'}.`,
    `- Latency when trained: ${card.size.latencyMsPerImage?.toFixed(3) ?? '–'} ms per image.`,
    '',
  ];
  return lines.join('\n');
}

/** labels.txt, model-card.json and model-card.md beside the model's files. */
export async function writeModelCard(destination: string, input: CardInputs): Promise<{ files: string[]; card: ModelCard }> {
  const card = buildModelCard(input, await folderBytes(destination));
  await writeFile(join(destination, 'labels.txt'), input.metadata.classNames.join('\n') + '\n');
  await writeFile(join(destination, 'model-card.json'), JSON.stringify(card, null, 2) + '\n');
  await writeFile(join(destination, 'model-card.md'), modelCardMarkdown(card));
  return { files: ['labels.txt', 'model-card.json', 'model-card.md'].map((name) => join(destination, name)), card };
}
