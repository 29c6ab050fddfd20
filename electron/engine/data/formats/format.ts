import type { ImageDataset } from '../dataset';

/**
 * A dataset format plugs in as a module: `match` looks at a path cheaply,
 * `open` reads it fully (and throws DistillInputError naming the file on bad input).
 */
export interface DatasetFormat {
  id: string;
  description: string;
  match(path: string): Promise<boolean>;
  open(path: string): Promise<ImageDataset>;
}
