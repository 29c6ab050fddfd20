import { classCounts, type ImageDataset } from './dataset';

export interface DatasetSummary {
  name: string;
  format: string;
  classes: number;
  classNames: string[];
  train: number;
  test: number;
  /** [height, width, channels] */
  shape: [number, number, number];
  trainClassCounts: number[];
  testClassCounts: number[];
  /** The dataset's own validation split, when it has one. */
  validation?: number;
  validationClassCounts?: number[];
}

export function summarizeDataset(dataset: ImageDataset): DatasetSummary {
  const classes = dataset.classNames.length;
  return {
    name: dataset.name,
    format: dataset.format,
    classes,
    classNames: dataset.classNames,
    train: dataset.train.count,
    test: dataset.test.count,
    shape: dataset.shape,
    trainClassCounts: classCounts(dataset.train, classes),
    testClassCounts: classCounts(dataset.test, classes),
    ...(dataset.validation ? { validation: dataset.validation.count, validationClassCounts: classCounts(dataset.validation, classes) } : {}),
  };
}
