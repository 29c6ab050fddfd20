import type { Method } from '../../contract/run-config';
import { atMethod } from './at';
import { dkdMethod } from './dkd';
import { fitnetMethod } from './fitnet';
import { baselineMethod, kdMethod } from './kd';
import type { DistillationMethod } from './method';

const METHODS: Record<Method, DistillationMethod> = {
  baseline: baselineMethod,
  kd: kdMethod,
  fitnet: fitnetMethod,
  at: atMethod,
  dkd: dkdMethod,
};

export function getMethod(id: Method): DistillationMethod {
  return METHODS[id];
}
