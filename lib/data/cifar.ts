// The CIFAR-10 and CIFAR-100 binary formats (Krizhevsky, 2009), as the
// "binary version" archives hold them:
//   CIFAR-10:  data_batch_1.bin ... data_batch_5.bin, test_batch.bin,
//              batches.meta.txt; each record is 1 label byte + 3072 pixels.
//   CIFAR-100: train.bin, test.bin, coarse_label_names.txt,
//              fine_label_names.txt; each record is a coarse and a fine label
//              byte + 3072 pixels.
// The pixels of a record are the red, then green, then blue 32x32 planes,
// row-major: already NCHW. The bytes are kept as they are, in shared memory
// (150 MB for CIFAR-10's training set, a quarter of floats), and normalised
// per channel with the dataset's usual mean and standard deviation as each
// batch is gathered.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, sharedArray, type DataSplits } from './dataset';

export class CifarFormatError extends RangeError {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'CifarFormatError';
  }
}

const PIXELS = 3 * 32 * 32;

/** Per-channel statistics of the CIFAR-10 training set (pixels in [0, 1]), as used with torchvision. */
export const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD = [0.247, 0.2435, 0.2616];
/** The same for CIFAR-100. */
export const CIFAR100_MEAN = [0.5071, 0.4865, 0.4409];
export const CIFAR100_STD = [0.2673, 0.2564, 0.2762];

export type CifarVariant = 'cifar10' | 'cifar100';

export interface CifarOptions {
  /** CIFAR-100 only: the 100 fine classes (default) or the 20 coarse superclasses. */
  labels?: 'fine' | 'coarse';
}

/** Which CIFAR a folder holds, from its file names; null when neither. */
export function cifarVariant(dir: string): CifarVariant | null {
  if (fs.existsSync(path.join(dir, 'data_batch_1.bin')) && fs.existsSync(path.join(dir, 'test_batch.bin'))) return 'cifar10';
  if (fs.existsSync(path.join(dir, 'train.bin')) && fs.existsSync(path.join(dir, 'test.bin'))) return 'cifar100';
  return null;
}

/**
 * Reads CIFAR binary files into one dataset: every file must be whole
 * records, every label a class of the variant. `mean` and `std` normalise
 * each channel of the pixels (scaled to [0, 1]).
 */
export function readCifar(files: string[], variant: CifarVariant, options: CifarOptions & { mean?: number[]; std?: number[] } = {}): Dataset {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + PIXELS;
  const fine = (options.labels ?? 'fine') === 'fine';
  const classes = variant === 'cifar10' ? 10 : fine ? 100 : 20;
  const mean = options.mean ?? (variant === 'cifar10' ? CIFAR10_MEAN : CIFAR100_MEAN);
  const std = options.std ?? (variant === 'cifar10' ? CIFAR10_STD : CIFAR100_STD);
  const sizes = files.map((file) => {
    if (!fs.existsSync(file)) throw new CifarFormatError(file, 'no such file');
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new CifarFormatError(file, 'not a file (a folder?)');
    const bytes = stat.size;
    if (bytes === 0 || bytes % record !== 0) {
      throw new CifarFormatError(file, `${bytes} bytes is not a whole number of ${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'} records ` +
        `(${record} bytes each: ${labelBytes} label byte(s) and 3072 pixels); truncated, or the other CIFAR?`);
    }
    return bytes / record;
  });
  const count = sizes.reduce((a, b) => a + b, 0);
  const images = sharedArray(Uint8Array, count * PIXELS);
  const labels = sharedArray(Int32Array, count);
  let at = 0;
  files.forEach((file) => {
    const bytes = fs.readFileSync(file);
    for (let r = 0; r * record < bytes.length; r++, at++) {
      const base = r * record;
      const label = bytes[base + (variant === 'cifar100' && fine ? 1 : 0)]!;
      if (label >= classes) throw new CifarFormatError(file, `record ${r} has label ${label}, not one of the ${classes} classes (the other CIFAR?)`);
      labels[at] = label;
      images.set(bytes.subarray(base + labelBytes, base + record), at * PIXELS);
    }
  });
  return new Dataset(images, labels, [3, 32, 32], classes, { pixels: { mean, std } });
}

function classNames(file: string, count: number): string[] {
  if (!fs.existsSync(file)) return Array.from({ length: count }, (_, i) => String(i));
  const names = fs.readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  return names.length === count ? names : Array.from({ length: count }, (_, i) => names[i] ?? String(i));
}

/** A CIFAR-10 or CIFAR-100 binary folder (detected from its files) as training and test sets. */
export function loadCifarFolder(dir: string, options: CifarOptions = {}): DataSplits {
  const variant = cifarVariant(dir);
  if (variant === null) {
    throw new CifarFormatError(dir, 'not a CIFAR binary folder: CIFAR-10 has data_batch_1.bin ... data_batch_5.bin and test_batch.bin, CIFAR-100 has train.bin and test.bin');
  }
  const at = (f: string) => path.join(dir, f);
  if (variant === 'cifar10') {
    const batches = fs.readdirSync(dir).filter((f) => /^data_batch_\d+\.bin$/.test(f)).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    return {
      name: `CIFAR-10 (${dir})`, dir, train: readCifar(batches.map(at), variant), test: readCifar([at('test_batch.bin')], variant),
      classNames: classNames(at('batches.meta.txt'), 10),
    };
  }
  const labels = options.labels ?? 'fine';
  const count = labels === 'fine' ? 100 : 20;
  return {
    name: `CIFAR-100 (${dir}, ${labels} labels)`, dir, train: readCifar([at('train.bin')], variant, { labels }), test: readCifar([at('test.bin')], variant, { labels }),
    classNames: classNames(at(`${labels}_label_names.txt`), count),
  };
}
