import { crossEntropyLoss } from '../losses/cross-entropy';
import { hintonKdLoss } from '../losses/hinton-kd';
import { logitsOnly, type DistillationMethod } from './method';

export const baselineMethod: DistillationMethod = {
  id: 'baseline',
  label: 'Student alone',
  needsTeacher: false,
  prepare: () => logitsOnly(({ labels, studentLogits }) => crossEntropyLoss(labels, studentLogits), 'cross-entropy with the labels'),
};

export const kdMethod: DistillationMethod = {
  id: 'kd',
  label: 'KD (Hinton)',
  needsTeacher: true,
  prepare: ({ config }) =>
    logitsOnly(({ studentLogits, teacherLogits, labels }) => {
      if (!teacherLogits) throw new Error('kd needs teacher logits');
      return hintonKdLoss(studentLogits, teacherLogits, labels, { temperature: config.temperature, alpha: config.alpha });
    }, `α·T²·KL + (1−α)·CE, T = ${config.temperature}, α = ${config.alpha}`),
};
