import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `resources/` is: DISTILL_RESOURCES when the packaged app sets it (Electron's
 * process.resourcesPath), else found by walking up from this file (source tree and bundles).
 */
export function resourcesDir(): string {
  const fromEnv = process.env.DISTILL_RESOURCES;
  if (fromEnv) return resolve(fromEnv);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources');
    if (existsSync(join(candidate, 'datasets'))) return candidate;
    dir = dirname(dir);
  }
  throw new Error('cannot find the resources folder; set DISTILL_RESOURCES');
}
