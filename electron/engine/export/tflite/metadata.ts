import { Builder } from 'flatbuffers';
import { zipSync } from 'fflate';
import { floatVector, offsetVector } from './vectors';

/**
 * TFLite model metadata for an image classifier, as tflite-support's metadata_schema.fbs lays
 * it out (file identifier "M001"): what MediaPipe's ImageClassifier, the TFLite Task Library
 * and Android Studio's model binding read to feed the model and name its outputs. It lives in
 * the model's `TFLITE_METADATA` buffer; the label file it names is packed in a zip appended to
 * the .tflite file, where those readers look for it.
 */
export interface ImageClassifierMetadata {
  name: string;
  description: string;
  version: string;
  author: string;
  /** [height, width, channels]: 1 channel is GRAYSCALE, 3 is RGB. */
  inputShape: readonly [number, number, number];
  /** An RGB input that the model makes grey as its first op (a grey model's, for RGB-only readers). */
  greyInside?: boolean;
  /** On the image's bytes 0–255, the model takes (pixel − mean) / std: one value for every channel, or one per channel. */
  mean: number[];
  std: number[];
  classNames: string[];
  outputDescription: string;
}

export const LABELS_FILE = 'labels.txt';
/** The Model.metadata entry MediaPipe and the Task Library read. */
export const METADATA_NAME = 'TFLITE_METADATA';
/** The oldest metadata parser that understands every field written here (all from schema 1.0.0). */
const MIN_PARSER_VERSION = '1.0.0';

const ContentProperties = { FeatureProperties: 1, ImageProperties: 2 } as const;
const ColorSpace = { RGB: 1, GRAYSCALE: 2 } as const;
const TENSOR_AXIS_LABELS = 2;
const NORMALIZATION_OPTIONS = 1;

function inputTensor(b: Builder, m: ImageClassifierMetadata): number {
  const [height, width, channels] = m.inputShape;
  b.startObject(2);
  b.addFieldInt32(0, width, 0);
  b.addFieldInt32(1, height, 0);
  const size = b.endObject();
  b.startObject(2);
  b.addFieldInt8(0, channels === 1 ? ColorSpace.GRAYSCALE : ColorSpace.RGB, 0);
  b.addFieldOffset(1, size, 0);
  const image = b.endObject();
  b.startObject(3);
  b.addFieldInt8(0, ContentProperties.ImageProperties, 0);
  b.addFieldOffset(1, image, 0);
  const content = b.endObject();

  const mean = floatVector(b, m.mean);
  const std = floatVector(b, m.std);
  b.startObject(2);
  b.addFieldOffset(0, mean, 0);
  b.addFieldOffset(1, std, 0);
  const normalization = b.endObject();
  b.startObject(2);
  b.addFieldInt8(0, NORMALIZATION_OPTIONS, 0);
  b.addFieldOffset(1, normalization, 0);
  const units = offsetVector(b, [b.endObject()]);

  // The values the model sees: the bytes' extremes after the normalisation.
  const max = floatVector(b, m.mean.map((mu, c) => (255 - mu) / m.std[c]!));
  const min = floatVector(b, m.mean.map((mu, c) => (0 - mu) / m.std[c]!));
  b.startObject(2);
  b.addFieldOffset(0, max, 0);
  b.addFieldOffset(1, min, 0);
  const stats = b.endObject();

  const name = b.createString('image');
  const colour = channels === 1 ? 'grey' : m.greyInside ? 'RGB (made grey inside, with BT.601 luma weights)' : 'RGB';
  const description = b.createString(`The image, ${height}×${width}, ${colour}, as (pixel − mean) / std`);
  b.startObject(7);
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, content, 0);
  b.addFieldOffset(4, units, 0);
  b.addFieldOffset(5, stats, 0);
  return b.endObject();
}

function outputTensor(b: Builder, m: ImageClassifierMetadata): number {
  b.startObject(0);
  const feature = b.endObject();
  b.startObject(3);
  b.addFieldInt8(0, ContentProperties.FeatureProperties, 0);
  b.addFieldOffset(1, feature, 0);
  const content = b.endObject();
  const fileName = b.createString(LABELS_FILE);
  const fileDescription = b.createString('The class of each output, in order');
  b.startObject(4);
  b.addFieldOffset(0, fileName, 0);
  b.addFieldOffset(1, fileDescription, 0);
  b.addFieldInt8(2, TENSOR_AXIS_LABELS, 0);
  const files = offsetVector(b, [b.endObject()]);
  const name = b.createString('logits');
  const description = b.createString(m.outputDescription);
  b.startObject(7);
  b.addFieldOffset(0, name, 0);
  b.addFieldOffset(1, description, 0);
  b.addFieldOffset(3, content, 0);
  b.addFieldOffset(6, files, 0);
  return b.endObject();
}

/** The ModelMetadata flatbuffer. */
export function encodeImageClassifierMetadata(m: ImageClassifierMetadata): Uint8Array {
  const b = new Builder(1024);
  const inputs = offsetVector(b, [inputTensor(b, m)]);
  const outputs = offsetVector(b, [outputTensor(b, m)]);
  b.startObject(7);
  b.addFieldOffset(2, inputs, 0);
  b.addFieldOffset(3, outputs, 0);
  const subgraph = b.endObject();
  const subgraphs = offsetVector(b, [subgraph]);
  const [name, description, version, author, parser] = [m.name, m.description, m.version, m.author, MIN_PARSER_VERSION].map((text) => b.createString(text));
  b.startObject(8);
  b.addFieldOffset(0, name!, 0);
  b.addFieldOffset(1, description!, 0);
  b.addFieldOffset(2, version!, 0);
  b.addFieldOffset(3, subgraphs, 0);
  b.addFieldOffset(4, author!, 0);
  b.addFieldOffset(7, parser!, 0);
  b.finish(b.endObject(), 'M001');
  return b.asUint8Array();
}

/** The model's bytes with the label file zipped after them, as tflite-support's populator packs associated files. */
export function withAssociatedFiles(model: Uint8Array, classNames: string[]): Uint8Array {
  const zip = zipSync({ [LABELS_FILE]: new TextEncoder().encode(`${classNames.join('\n')}\n`) }, { level: 0 });
  const out = new Uint8Array(model.length + zip.length);
  out.set(model);
  out.set(zip, model.length);
  return out;
}
