import { hasKdTerm, METHOD_CATALOGUE, type MethodEntry, type MethodId } from '../../contract/catalogue';
import { atMethod } from './at';
import { crdMethod } from './crd';
import { dkdMethod } from './dkd';
import { distMethod } from './dist';
import { fitnetMethod } from './fitnet';
import { withKdTerm } from './kd-term';
import { baselineMethod, kdMethod } from './kd';
import { nstMethod } from './nst';
import { ofdMethod } from './ofd';
import { pktMethod } from './pkt';
import { reviewkdMethod } from './reviewkd';
import { rkdMethod } from './rkd';
import { spMethod } from './sp';
import { vidMethod } from './vid';
import type { DistillationMethod, MethodImplementation } from './method';

/** One implementation per catalogue entry: a method missing here fails the type-check. */
const IMPLEMENTATIONS: Record<MethodId, MethodImplementation> = {
  baseline: baselineMethod,
  kd: kdMethod,
  fitnet: fitnetMethod,
  at: atMethod,
  nst: nstMethod,
  vid: vidMethod,
  reviewkd: reviewkdMethod,
  ofd: ofdMethod,
  dkd: dkdMethod,
  dist: distMethod,
  rkd: rkdMethod,
  sp: spMethod,
  pkt: pktMethod,
  crd: crdMethod,
};

export function getMethod(id: MethodId): DistillationMethod {
  const entry: MethodEntry = METHOD_CATALOGUE[id];
  const implementation = IMPLEMENTATIONS[id];
  // A method with the shared --kd-weight option may add KD's soft term to its loss.
  if (!hasKdTerm(id)) return { id, ...entry, ...implementation };
  return { id, ...entry, prepare: (context) => withKdTerm(implementation.prepare(context), id, context.config) };
}
