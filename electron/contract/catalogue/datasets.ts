/** Datasets a person can name: bundled with the app, or downloadable from their authors. */
export const DATASET_SOURCE_CATALOGUE = {
  mnist: { label: 'MNIST', kind: 'bundled', description: '70,000 handwritten digits, 28×28 grey (bundled)' },
  cifar10: { label: 'CIFAR-10', kind: 'download', description: '60,000 32×32 colour images in 10 classes (binary version, 162 MB)' },
  cifar100: { label: 'CIFAR-100', kind: 'download', description: '60,000 32×32 colour images in 100 classes (binary version, 161 MB)' },
  'fashion-mnist': { label: 'Fashion-MNIST', kind: 'download', description: '70,000 28×28 grey images of clothing in 10 classes (30 MB)' },
} as const;

export type DatasetSourceId = keyof typeof DATASET_SOURCE_CATALOGUE;
export type DownloadableDatasetId = { [K in DatasetSourceId]: (typeof DATASET_SOURCE_CATALOGUE)[K]['kind'] extends 'download' ? K : never }[DatasetSourceId];
export const DATASET_SOURCE_IDS = Object.keys(DATASET_SOURCE_CATALOGUE) as DatasetSourceId[];
export const DOWNLOADABLE_DATASET_IDS = DATASET_SOURCE_IDS.filter((id): id is DownloadableDatasetId => DATASET_SOURCE_CATALOGUE[id].kind === 'download') as [DownloadableDatasetId, ...DownloadableDatasetId[]];
export const BUNDLED_DATASET_IDS = DATASET_SOURCE_IDS.filter((id) => DATASET_SOURCE_CATALOGUE[id].kind === 'bundled');

/**
 * File formats a dropped or named dataset may have; the engine has one reader module per id.
 * `resized`: its images are resized to `--image-size` (the others' images have one size already).
 */
export const DATASET_FORMAT_CATALOGUE = {
  idx: { label: 'IDX', description: 'MNIST-style IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-…), gzip or not, or a .zip or .tar.gz of them', resized: false },
  'cifar-binary': { label: 'CIFAR binary', description: 'CIFAR-10/100 binary version: the official .tar.gz, or a folder of its .bin files', resized: false },
  csv: { label: 'pixel CSV', description: 'a label (a class number or name) and a square grayscale or RGB image\'s 0–255 pixels per row, as in Kaggle\'s MNIST-style files and HAM10000\'s hmnist_28_28_RGB.csv, or all of them in one space-separated pixels column with a Usage column naming each row\'s split, as FER2013\'s (Training, PublicTest as validation, PrivateTest as test): a …train….csv and a …test….csv, or one file (20 % held out unless its Usage column splits it); gzip or not, or a .zip or .tar.gz of them', resized: false },
  npz: {
    label: 'NumPy arrays',
    description:
      "NumPy arrays: a .npz file (np.savez, or a folder of .npy files) holding x_train, y_train, x_test and y_test as Keras saves its datasets (mnist.npz), or train_images, train_labels, test_images and test_labels as MedMNIST ships them, x_val/y_val or val_images/val_labels as the validation split; images uint8 (or floats of 0–1) [N, height, width], [N, height, width, 1 or 3] or channels first [N, 1 or 3, height, width]; labels [N] or [N, 1] class numbers or names, or one-hot; a class-names.txt beside it names (and orders) the classes",
    resized: false,
  },
  parquet: {
    label: 'Parquet (Hugging Face)',
    description:
      "Parquet files as Hugging Face's datasets come: train-….parquet and test-….parquet (validation-… the validation split), or one file (20 % held out), in a folder, its data/ folder, or alone; each row an encoded image (PNG, JPEG, …) and its class, named by the file's ClassLabel; decoded and resized as image folders are",
    resized: true,
  },
  'image-folder': { label: 'image folder', description: 'image folders: one sub-folder of PNG, JPEG, WebP, TIFF, GIF or AVIF files per class (train/ and test/ optional, a val/ beside them used as the validation split; train/ and val/ alone test on val/), or a .zip or .tar.gz of them', resized: true },
} as const;
export type DatasetFormatId = keyof typeof DATASET_FORMAT_CATALOGUE;
/** Whether a format's images are resized to the run's image size (an image folder's); the others keep theirs. */
export const formatResizes = (format: string): boolean => (DATASET_FORMAT_CATALOGUE as Record<string, { resized: boolean }>)[format]?.resized === true;
export const DATASET_FORMAT_IDS = Object.keys(DATASET_FORMAT_CATALOGUE) as DatasetFormatId[];

/** What every TFLite file is (see the first entry below for each field): one image, RGB, checked in LiteRT.js. */
const TFLITE_FILE = { layout: 'folder', batch: 1, inside: 'normalization', runtime: 'litert', colour: 'rgb', outputType: 'float32' } as const;

/**
 * How a trained model can leave the app; the engine has one writer module per id
 * (electron/engine/export/). Every export also holds labels.txt and a model card.
 */
export const EXPORT_FORMAT_CATALOGUE = {
  tfjs: {
    label: 'TensorFlow.js LayersModel',
    description: 'model.json and weights.bin, float32: loads with tf.loadLayersModel in a browser or Node',
    /** What the export is on disk: a folder of files (a browser gets it as a zip). */
    layout: 'folder',
    /** The batch the file declares: any, or 1 (a runtime may resize it). */
    batch: 'any',
    /** What of the training preprocessing (pixels / 255, then the dataset's per-channel normalisation) the model does itself. */
    inside: 'nothing',
    /**
     * The colour of the image the file takes: the model's own (grey or RGB), or RGB always, a grey
     * model making it grey as its first op (MediaPipe and a phone's camera give RGB only).
     */
    colour: 'model',
    /** What the logits come out as: float32, or uint8 (quantized: the output tensor's scale and zero point give the logits). */
    outputType: 'float32',
    /** The runtime the app loads the exported file back in to measure its accuracy, as its users run it. */
    runtime: 'tfjs',
  },
  'tfjs-f16': {
    label: 'TensorFlow.js LayersModel, float16 weights',
    description: 'half the size; weights stored as float16 in the weights manifest, dequantized by tf.loadLayersModel',
    layout: 'folder',
    batch: 'any',
    inside: 'nothing',
    runtime: 'tfjs',
    colour: 'model',
    outputType: 'float32',
  },
  'tfjs-u8': {
    label: 'TensorFlow.js LayersModel, uint8 weights',
    description: 'a quarter of the size; each weight tensor stored as 8-bit (value = q·scale + min), dequantized by tf.loadLayersModel',
    layout: 'folder',
    batch: 'any',
    inside: 'nothing',
    runtime: 'tfjs',
    colour: 'model',
    outputType: 'float32',
  },
  onnx: {
    label: 'ONNX',
    description: 'model.onnx, opset 13, float32, input [batch, height, width, channels]: onnxruntime on the web, a phone, Python or C++',
    layout: 'folder',
    batch: 'any',
    inside: 'nothing',
    runtime: 'onnxruntime',
    colour: 'model',
    outputType: 'float32',
  },
  'onnx-raw': {
    label: 'ONNX, raw pixels in',
    description: "model.onnx taking the image's bytes (uint8 [batch, height, width, channels], 0–255) with / 255 and the normalisation inside: nothing to reproduce",
    runtime: 'onnxruntime',
    layout: 'folder',
    batch: 'any',
    inside: 'scaling and normalization',
    colour: 'model',
    outputType: 'float32',
  },
  'onnx-int8': {
    label: 'ONNX, int8',
    description:
      "model.onnx as onnxruntime's static quantization makes it (QDQ): weights int8 (one scale per convolution output channel), a quarter of their float32 size, activations uint8, calibrated on 512 training images of the run's dataset, batch norm folded; onnxruntime runs it on its integer kernels (QLinearConv, QGemm, QLinearAdd); fed and read as the float32 file",
    runtime: 'onnxruntime',
    layout: 'folder',
    batch: 'any',
    inside: 'nothing',
    colour: 'model',
    outputType: 'float32',
  },
  tflite: {
    label: 'TFLite (LiteRT)',
    description: 'model.tflite, float32, input [1, height, width, 3], RGB as pixels / 255 (a grey model makes it grey, and the per-channel normalisation is, inside), batch norm folded, labels and normalisation in its metadata: LiteRT (TensorFlow Lite) and MediaPipe on Android, iOS or the web',
    ...TFLITE_FILE,
  },
  'tflite-f16': {
    label: 'TFLite (LiteRT), float16 weights',
    description: "half the size: TFLite's float16 quantization, each kernel stored as float16 and widened to float32 as the model loads (a GPU delegate runs it in float16)",
    ...TFLITE_FILE,
  },
  'tflite-dynamic': {
    label: 'TFLite (LiteRT), int8 weights (dynamic range)',
    description: "about a quarter of the size: TFLite's dynamic-range quantization, dense and convolution kernels as int8 (one scale per dense kernel, one per convolution output channel), run by TFLite's hybrid kernels; activations stay float32",
    ...TFLITE_FILE,
  },
  'tflite-int8': {
    label: 'TFLite (LiteRT), full integer int8',
    description: "TFLite's full-integer quantization: weights and activations int8, calibrated on 512 training images of the run's dataset, for integer kernels and NPUs; float32 in and out through QUANTIZE and DEQUANTIZE",
    ...TFLITE_FILE,
  },
  'tflite-uint8': {
    label: 'TFLite (LiteRT), full integer, uint8 in and out',
    description: "the full-integer file with integer ends, as the Edge TPU compiler, microcontrollers and integer-only NPUs want: the image's bytes in (uint8 [1, height, width, 3], RGB), the logits out as uint8 (the largest is the class; the output tensor's scale and zero point give the logits)",
    ...TFLITE_FILE,
    inside: 'scaling and normalization',
    outputType: 'uint8',
  },
} as const;
export type ExportFormatId = keyof typeof EXPORT_FORMAT_CATALOGUE;
export const EXPORT_FORMAT_IDS = Object.keys(EXPORT_FORMAT_CATALOGUE) as [ExportFormatId, ...ExportFormatId[]];
