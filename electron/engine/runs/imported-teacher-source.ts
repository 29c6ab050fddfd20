import * as tf from '@tensorflow/tfjs';
import type { TeacherSource } from '../train/trainer';
import { selectColumns } from './class-mapping';
import { asLogits, type ExternalTeacher, type TeacherFit } from './external-teacher';
import type { RunConfig } from '../../contract/run-config';
import type { ImageDataset } from '../data/dataset';
import { keptAsPlanned } from './teacher-attention';
import type { TeacherFeaturePlan } from './teacher-feature-plan';
import { asTeacherInput, type TeacherInputDeclaration } from './teacher-input';

/**
 * An imported teacher kept open for the run, when the students see shifted or flipped images:
 * its outputs then differ every batch, so it runs on each one instead of once per split.
 */
export interface ImportedTeacherSession {
  teacher: ExternalTeacher;
  fit: TeacherFit;
  plan: TeacherFeaturePlan;
  /** Whether it ends in a softmax, as judged on the test split. */
  probabilities: boolean;
}

/** Does this run show its students images the teacher's precomputed outputs never saw? */
export const augmentsStudent = (config: Pick<RunConfig, 'studentJitter' | 'flip'>) => config.studentJitter > 0 || config.flip;

/**
 * The teacher's outputs (and the inner tensors `featureLayers` names) for the batch the student
 * trains on, augmented as it is: the batch back to 0–1 pixels (the dataset's normalisation
 * undone; shifts pad with 0 before it), then fed as the teacher is declared to be fed.
 */
export function importedTeacherSource(dataset: Pick<ImageDataset, 'train' | 'shape' | 'classNames'>, declared: TeacherInputDeclaration, session: ImportedTeacherSession, featureLayers: readonly string[]): TeacherSource {
  const norm = dataset.train.normalization;
  const classes = dataset.classNames.length;
  return {
    async outputsFor(x) {
      const n = x.shape[0];
      const input = tf.tidy(() => asTeacherInput(norm ? tf.add(tf.mul(x, tf.tensor1d(norm.std)), tf.tensor1d(norm.mean)) : x, dataset.train, dataset.shape, declared, session.fit.target));
      try {
        // Every tensor the run planned, as one session gives them; the method's, in its order, from those.
        const { outputs, features } = featureLayers.length > 0 ? await session.teacher.runWithFeatures(input, session.plan.names) : { outputs: await session.teacher.run(input), features: [] };
        const logits = asLogits(selectColumns(outputs, outputs.length / n, session.fit.mapping), session.probabilities);
        const byName = new Map(features.map((f) => [f.name, keptAsPlanned(f, session.plan)]));
        return {
          logits: tf.tensor2d(logits, [n, classes]),
          features: featureLayers.map((name) => {
            const feature = byName.get(name);
            if (!feature) throw new Error(`the teacher's tensor ${name} was not planned with its outputs (the run's methods did not name it)`);
            return tf.tensor(feature.data, [n, ...feature.shape]);
          }),
        };
      } finally {
        input.dispose();
      }
    },
  };
}
