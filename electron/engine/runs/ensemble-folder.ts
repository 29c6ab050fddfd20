import type * as tf from '@tensorflow/tfjs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { RUN_SETTINGS } from '../../contract/catalogue';
import { formatCount } from '../../contract/display';
import { DistillInputError } from '../errors';
import { ensembleModel, ensembleName } from '../models/ensemble';
import { modelSize } from '../models/registry';
import { loadModelFolder, saveModelFolder, type ModelMetadata } from './model-io';
import { isOnnxPath } from './onnx-teacher';
import { runTeacherOf } from './teacher-info';

export interface SavedEnsemble {
  out: string;
  name: string;
  params: number;
  members: Array<{ source: string; name: string; params: number }>;
}

/** How a model takes its pixels, in words: `pixels / 255`, or `mean 0.1307, std 0.3081` per channel after it. */
const pixels = (metadata: ModelMetadata) => (metadata.normalization ? `mean ${metadata.normalization.mean.join(', ')}, std ${metadata.normalization.std.join(', ')}` : 'pixels / 255 alone');

/** What must agree for a student to learn the average of several teachers: the same images in, the same classes out. */
function sameFeeding(first: { source: string; metadata: ModelMetadata }, other: { source: string; metadata: ModelMetadata }): string | null {
  const [a, b] = [first.metadata, other.metadata];
  if (a.inputShape.join('×') !== b.inputShape.join('×')) return `${other.source} takes ${b.inputShape.join('×')} images and ${first.source} ${a.inputShape.join('×')}`;
  if (a.classNames.join('\n') !== b.classNames.join('\n')) return `${other.source} predicts other classes than ${first.source} (${b.classNames.slice(0, 4).join(', ')}… against ${a.classNames.slice(0, 4).join(', ')}…)`;
  if (JSON.stringify(a.normalization ?? null) !== JSON.stringify(b.normalization ?? null)) return `${other.source} takes its pixels normalised otherwise than ${first.source} (${pixels(b)} against ${pixels(a)}): they were trained on other data`;
  return null;
}

/**
 * `distill ensemble`: teachers saved before (earlier runs' teachers, or model folders this app
 * trained or exported) joined into one teacher folder that averages their logits, as `--ensemble`
 * joins the teachers a run trains. Members may differ in architecture (an MLP and a LeNet-5) but
 * must take the same images and predict the same classes. An imported ONNX or GraphModel teacher
 * cannot join: the ensemble is one TensorFlow.js LayersModel. The folder is new: nothing is
 * overwritten.
 */
export async function saveEnsembleOfTeachers(sources: readonly string[], out: string, labels: readonly string[] = sources): Promise<SavedEnsemble> {
  const most = RUN_SETTINGS.ensemble.max;
  if (sources.length < 2 || sources.length > most) throw new DistillInputError(`an ensemble joins 2 to ${most} teachers; ${sources.length} given`);
  if (await stat(out).catch(() => null)) throw new DistillInputError(`${out} exists: the ensemble is written to a new folder`);
  const members: Array<{ source: string; model: tf.LayersModel; metadata: ModelMetadata }> = [];
  try {
    for (const [i, path0] of sources.entries()) {
      // Messages name each teacher as the caller does: a path in the CLI, `run <id>` in the app (never a server path).
      const source = labels[i]!;
      const path = (await runTeacherOf(path0))?.teacher ?? path0;
      if (isOnnxPath(path)) throw new DistillInputError(`${source}: an ONNX teacher cannot join an ensemble, which is one TensorFlow.js LayersModel (teachers this app trained, or model folders it exported)`);
      const { model, metadata } = await loadModelFolder(path).catch((error: unknown) => {
        throw source === path0 ? error : new DistillInputError(`${source}: its teacher cannot be read as a TensorFlow.js LayersModel (${(error as Error).message.replace(`${path}: `, '').replace(path, 'its folder')})`);
      });
      if (!metadata) {
        model.dispose();
        throw new DistillInputError(`${source}: a LayersModel without Distill Studio's metadata (its input shape, class names and pixel normalisation), so nothing says it takes the images the others take`);
      }
      members.push({ source, model, metadata });
      if (metadata.output !== 'logits') throw new DistillInputError(`${source}: it outputs probabilities, the others' logits would be averaged with their logarithms; join teachers that output logits`);
      const differs = sameFeeding(members[0]!, members.at(-1)!);
      if (differs) throw new DistillInputError(`the teachers of an ensemble take the same images and predict the same classes: ${differs}`);
    }
    const architectures = members.map((m) => m.metadata.architecture);
    const name = architectures.every((a) => a === architectures[0]) ? ensembleName(architectures[0]!, members.length) : architectures.join(' + ');
    const model = await ensembleModel(members.map((m) => m.model), name);
    try {
      await saveModelFolder(model, out, { ...members[0]!.metadata, architecture: name });
      return {
        out: resolve(out),
        name,
        params: modelSize(model).params,
        members: members.map((m) => ({ source: m.source, name: m.metadata.architecture, params: modelSize(m.model).params })),
      };
    } finally {
      model.dispose();
    }
  } finally {
    for (const member of members) member.model.dispose();
  }
}

/** "an ensemble of 3 teachers, mlp-800x2 ×2 + lenet5 (…)": what `distill ensemble` made, in words. */
export const describeSavedEnsemble = (saved: SavedEnsemble) =>
  `an ensemble of ${saved.members.length} teachers (${saved.members.map((m) => `${m.name} from ${m.source}`).join(', ')}; ${formatCount(saved.params)} parameters) saved in ${saved.out}: distil from it with \`distill run --teacher ${saved.out}\``;
