import { describeSavedEnsemble, DistillInputError, saveEnsembleOfTeachers, selectBackend } from '../../engine';
import { parseFlags } from '../args';

export const ENSEMBLE_USAGE = 'distill ensemble TEACHER TEACHER… --out DIR [--json]   (each TEACHER a run folder or a model folder this app saved)';

/**
 * Joins teachers saved before into one teacher that averages their logits (`--ensemble N` does
 * it for the teachers a run trains): a new model folder that `distill run --teacher DIR` loads.
 */
export async function ensembleCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { out: { type: 'string' }, json: { type: 'boolean' } }, ENSEMBLE_USAGE);
  if (typeof values.out !== 'string' || values.out === '') throw new DistillInputError(`--out DIR is needed: ${ENSEMBLE_USAGE}`);
  // Copying weights computes nothing worth a fast backend.
  await selectBackend('cpu');
  const saved = await saveEnsembleOfTeachers(positionals, values.out);
  process.stdout.write(values.json ? `${JSON.stringify({ type: 'ensemble', ...saved })}\n` : `${describeSavedEnsemble(saved)}\n`);
  return 0;
}
