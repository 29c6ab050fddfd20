import { writeFile } from 'node:fs/promises';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import sharp from 'sharp';

/** A solid-colour PNG, as a dataset's encoded image. */
export const solidPng = async (r: number, g: number, b: number, size = 6): Promise<Uint8Array> =>
  new Uint8Array(await sharp({ create: { width: size, height: size, channels: 3, background: { r, g, b } } }).png().toBuffer());

export interface ParquetRows {
  /** Each row's image: bytes (a Hugging Face Image with them), or only a path (one without them). */
  images: Array<Uint8Array | { path: string }>;
  labels: Array<number | string>;
  /** Hugging Face's features metadata: the ClassLabel's names; absent: a file any tool wrote, columns by name. */
  classNames?: string[];
  /** Column names (Hugging Face's `image` and `label`; CIFAR-10's `img`). */
  imageColumn?: string;
  labelColumn?: string;
  /** Compression, as other writers choose it (pyarrow: Snappy; Polars: Zstandard; Spark: gzip or Snappy). */
  codec?: 'SNAPPY' | 'GZIP' | 'BROTLI';
}

/** Parquet's GZIP is gzip (RFC 1952), its BROTLI a raw Brotli stream: Node's zlib writes both. */
const COMPRESSORS = { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)), BROTLI: (bytes: Uint8Array) => new Uint8Array(brotliCompressSync(bytes)) };

/**
 * A Parquet file laid out as Hugging Face's datasets write them (pyarrow's schema for an Image
 * feature: a struct of `bytes` and `path`; a ClassLabel as int64; the features as JSON under the
 * `huggingface` key of the file's metadata), with hyparquet-writer.
 */
export async function writeHfParquet(path: string, rows: ParquetRows): Promise<void> {
  const image = rows.imageColumn ?? 'image';
  const label = rows.labelColumn ?? 'label';
  const named = typeof rows.labels[0] === 'string';
  const buffer = parquetWriteBuffer({
    schema: [
      { name: 'root', num_children: 2 },
      { name: image, repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      named ? { name: label, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' } : { name: label, type: 'INT64', repetition_type: 'OPTIONAL' },
    ],
    columnData: [
      { name: image, data: rows.images.map((img) => (img instanceof Uint8Array ? { bytes: img, path: null } : { bytes: null, path: img.path })) },
      { name: label, data: rows.labels.map((l) => (typeof l === 'number' ? BigInt(l) : l)) },
    ],
    codec: rows.codec ?? 'SNAPPY',
    compressors: COMPRESSORS,
    kvMetadata: rows.classNames ? [{ key: 'huggingface', value: JSON.stringify({ info: { features: { [image]: { _type: 'Image' }, [label]: { names: rows.classNames, _type: 'ClassLabel' } } } }) }] : [],
  } as Parameters<typeof parquetWriteBuffer>[0]);
  await writeFile(path, new Uint8Array(buffer));
}
