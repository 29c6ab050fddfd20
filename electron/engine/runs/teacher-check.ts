import { limitSplit, type ImageDataset } from '../data/dataset';
import { pickSamples, type DatasetSample } from '../data/samples';
import type { ClassMapping } from './class-mapping';
import { describeMapping, evaluationOfLogits } from './external-teacher-phase';
import { externalTeacherLogits, fitExternalTeacher, openExternalTeacher } from './external-teacher';
import { nearChance } from '../../contract/advice';
import type { TeacherStages } from '../methods/layer-pairing';
import { describeTeacherInput, type TeacherInputDeclaration } from './teacher-input';
import { teacherStages } from './teacher-feature-plan';

/** A sample with what the teacher made of it. */
export interface TeacherCheckSample extends DatasetSample {
  predicted: number;
  /** The teacher's probability for its prediction (softmax of its logits). */
  confidence: number;
}

/**
 * A teacher tried on the test split before any student trains: how it is fed, which output is
 * which class, its accuracy against chance, and its predictions next to a few images. Near chance
 * means the preprocessing or class order is wrong: a person sees that here, with the assumptions.
 */
export interface TeacherCheck {
  name: string;
  format: string;
  runtime: string;
  fed: string;
  mapping: ClassMapping;
  mappingText: string;
  images: number;
  accuracy: number;
  chance: number;
  atChance: boolean;
  probabilities: boolean;
  samples: TeacherCheckSample[];
  /** Where FitNets and attention transfer read it when no pairs are named (teacherStages); null where its tensors could not be run. */
  stages: TeacherStages | null;
}

/** Tries a teacher (an .onnx file, a GraphModel or LayersModel folder) on up to `images` test images. */
export async function checkTeacher(path: string, data: ImageDataset, declared: TeacherInputDeclaration, images = 1000): Promise<TeacherCheck> {
  const teacher = await openExternalTeacher(path);
  try {
    const test = limitSplit(data.test, Math.min(images, data.test.count), data.shape);
    const fit = await fitExternalTeacher(teacher, test, data.shape, data.classNames, declared);
    const { logits, probabilities } = await externalTeacherLogits(teacher, test, data.shape, declared, fit);
    const classes = data.classNames.length;
    const evaluation = evaluationOfLogits(logits, test.labels, classes);
    const chance = 1 / classes;
    const samples = pickSamples({ ...data, test }, 24).map((sample) => {
      const row = logits.subarray(sample.index * classes, (sample.index + 1) * classes);
      const predicted = evaluation.predictions[sample.index]!;
      const max = Math.max(...row);
      const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
      return { ...sample, predicted, confidence: 1 / sum };
    });
    // Its stages are a help for pairing, not what the check is for: a graph that will not give its inner tensors still gets its accuracy.
    const stages = await teacherStages(teacher, data.shape).catch(() => null);
    return {
      name: teacher.name,
      format: teacher.format,
      runtime: teacher.runtime,
      fed: describeTeacherInput(declared, data.test, data.shape, fit.target),
      mapping: fit.mapping,
      mappingText: describeMapping(fit.mapping, data.classNames),
      images: test.count,
      accuracy: evaluation.accuracy,
      chance,
      atChance: nearChance(evaluation.accuracy, classes),
      probabilities,
      samples,
      stages,
    };
  } finally {
    await teacher.release();
  }
}
