import type { DatasetFormatId } from '../../../contract/catalogue';
import type { ImageDataset } from '../dataset';

/**
 * A dataset format plugs in as a module: `match` looks at a path cheaply,
 * `open` reads it fully (and throws DistillInputError naming the file on bad input).
 */
export interface DatasetFormat {
  /** The catalogue's id, which also describes the format. */
  id: DatasetFormatId;
  match(path: string): Promise<boolean>;
  open(path: string): Promise<ImageDataset>;
  /** The format `open` will read a matched path in, when another format's reader may take it (a zip of CSV files). */
  contentFormat?(path: string): Promise<DatasetFormatId>;
}
