import { DistillInputError } from '../../engine/errors';

export async function serveCommand(_args: string[], _signal: AbortSignal): Promise<number> {
  throw new DistillInputError('serve is not available yet');
}
