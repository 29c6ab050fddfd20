import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { DistillInputError } from '../engine';

const ARCHIVE = /\.(zip|tar\.gz|tgz|npz|parquet)$/i;

/** In an upload's folder: a dataset was opened from it, so it is kept (others are swept away). */
export const IMPORTED_MARK = '.imported';

export async function markImported(uploadDir: string): Promise<void> {
  await writeFile(join(uploadDir, IMPORTED_MARK), '');
}

/**
 * A path inside an uploaded folder (`pets/cat/1.png`, `猫/été, 1.png`): up to 8 names joined by
 * `/`. Any character a file name may hold is fine; what is refused is what could leave the
 * upload's folder or confuse a file system: `..`, `.`, empty or absolute parts, backslashes,
 * control characters, names over 255 bytes.
 */
export function safeRelativePath(path: string): string {
  const parts = path.split('/');
  const unsafeChar = (ch: string) => ch === '\\' || ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127;
  const bad = (part: string) => part === '' || part === '.' || part === '..' || [...part].some(unsafeChar) || Buffer.byteLength(part) > 255;
  if (parts.length > 8 || parts.some(bad)) throw new DistillInputError(`"${path}" is not an acceptable file name`);
  return parts.join('/');
}

/**
 * Turns dropped paths into one dataset folder: a single folder is used as it is; loose
 * files are copied into a new folder under `importsDir`, which is removed again on failure.
 */
export async function datasetFolderFromPaths(paths: string[], importsDir: string): Promise<{ folder: string; cleanup: () => Promise<void> }> {
  const infos = await Promise.all(
    paths.map(async (path) => {
      if (!isAbsolute(path)) throw new DistillInputError(`${path}: not an absolute path`);
      const info = await stat(path).catch(() => null);
      if (!info) throw new DistillInputError(`${path}: no such file or folder`);
      return { path, info };
    }),
  );
  if (infos.length === 1 && infos[0]!.info.isDirectory()) return { folder: infos[0]!.path, cleanup: async () => {} };
  // One archive (a .zip of image folders, CIFAR's .tar.gz, NumPy's .npz, a Parquet file) is opened where it is.
  if (infos.length === 1 && ARCHIVE.test(infos[0]!.path)) return { folder: infos[0]!.path, cleanup: async () => {} };
  const folders = infos.filter((entry) => entry.info.isDirectory());
  if (folders.length > 0) throw new DistillInputError('drop one folder, or files without folders');
  const folder = join(importsDir, `import-${Date.now()}-${randomBytes(3).toString('hex')}`);
  await mkdir(folder, { recursive: true });
  const cleanup = () => rm(folder, { recursive: true, force: true });
  try {
    for (const { path } of infos) await copyFile(path, join(folder, basename(path)));
  } catch (error) {
    await cleanup();
    throw error;
  }
  return { folder, cleanup };
}
