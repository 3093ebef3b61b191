// A folder of images with one subfolder per class (torchvision's
// ImageFolder, Keras' image_dataset_from_directory): class names are the
// subfolders, sorted; every .png, .jpg and .jpeg file below one (any size;
// grayscale, RGB or RGBA, alpha dropped) is a sample of that class. Each is
// decoded once, in worker threads (decode-pool.ts) by the library fastest
// for it (image-decoders.ts), its shorter side resized to `size` and the
// central size x size square kept (Resize + CenterCrop), and stored as
// bytes in shared memory; batches are normalised and augmented as they are
// gathered, by the data loader's threads (loader.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../tensor/random';
import { Dataset, sharedArray, type DataSplits, type PixelNorm } from './dataset';
import { decodeFiles } from './decode-pool';
import { DEFAULT_LIMIT_INPUT_PIXELS, ImageFormatError } from './image';
import type { ImageDecoder } from './image-decoders';

export type { ImageDecoder } from './image-decoders';

export interface ImageFolderOptions {
  /** Side of the square every image becomes (default 32). */
  size?: number;
  /** 3 (RGB; grayscale repeated) or 1 (grayscale) (default 3). */
  channels?: 1 | 3;
  /** Normalisation per channel of pixels in [0, 1] (default mean 0.5, std 0.5). */
  mean?: number[];
  std?: number[];
  /** Skip files that cannot be decoded (listed in `skipped`) instead of failing on the first (default false). */
  skipInvalid?: boolean;
  /**
   * 'auto' (default): each file by the fastest decoder that loads here
   * (image-decoders.ts); or one decoder for every file.
   */
  decoder?: 'auto' | ImageDecoder;
  /** Worker threads decoding files (default: the cores). */
  workers?: number;
  /** Images larger than this many pixels are refused before decoding (default 4096 x 4096). */
  limitInputPixels?: number;
}

export interface ImageFolder {
  dataset: Dataset;
  classNames: string[];
  /** The file of each sample, in dataset order. */
  files: string[];
  /** Files that could not be decoded (with skipInvalid). */
  skipped: Array<{ file: string; reason: string }>;
  /** How many files each decoder decoded. */
  decoders: Partial<Record<ImageDecoder, number>>;
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function imagesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...imagesBelow(p));
    else if (EXTENSIONS.has(path.extname(entry.name).toLowerCase())) out.push(p);
  }
  return out;
}

/** The class folders of `dir` (sorted) and each one's image files. */
function listClasses(dir: string): Array<{ name: string; files: string[] }> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ImageFormatError(dir, 'no such folder');
  const classes = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (classes.length === 0) throw new ImageFormatError(dir, 'has no class subfolders: an image folder holds one subfolder of images per class');
  return classes.map((name) => {
    const files = imagesBelow(path.join(dir, name));
    if (files.length === 0) throw new ImageFormatError(path.join(dir, name), 'has no .png, .jpg or .jpeg files: every class folder needs at least one image');
    return { name, files };
  });
}

/** Reads an image folder into a byte dataset (see the top of this file). */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolder> {
  const size = options.size ?? 32, channels = options.channels ?? 3;
  if (!(Number.isInteger(size) && size >= 1 && size <= 4096)) throw new RangeError(`readImageFolder: size must be a whole number from 1 to 4096, got ${String(size)}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`readImageFolder: channels must be 1 or 3, got ${String(channels)}`);
  const pixels: PixelNorm = { mean: options.mean ?? Array(channels).fill(0.5), std: options.std ?? Array(channels).fill(0.5) };
  const workers = options.workers ?? os.availableParallelism();
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 256)) throw new RangeError(`readImageFolder: workers must be a whole number from 1 to 256, got ${String(workers)}`);
  const classes = listClasses(dir);
  const all = classes.flatMap((c, label) => c.files.map((file) => ({ file, label })));
  const decoded = await decodeFiles(all.map((s) => s.file), {
    size, channels, limitInputPixels: options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS, decoder: options.decoder ?? 'auto',
  }, { workers, stopOnFailure: options.skipInvalid !== true });
  const first = decoded.failures[0];
  if (first !== undefined && options.skipInvalid !== true) {
    throw new ImageFormatError(all[first.index]!.file, `${first.reason}; pass skipInvalid (--skip-invalid) to leave such files out`);
  }
  const skipped = decoded.failures.map((f) => ({ file: all[f.index]!.file, reason: f.reason }));
  const failed = new Set(decoded.failures.map((f) => f.index));
  const keep = Int32Array.from(all.keys()).filter((k) => !failed.has(k));
  if (keep.length === 0) throw new ImageFormatError(dir, 'no image could be decoded');
  const labels = sharedArray(Int32Array, all.length);
  all.forEach((s, k) => { labels[k] = s.label; });
  let dataset = new Dataset(decoded.images, labels, [channels, size, size], classes.length, { pixels });
  if (keep.length < all.length) dataset = dataset.select(keep);
  return {
    dataset, classNames: classes.map((c) => c.name), files: Array.from(keep, (k) => all[k]!.file), skipped, decoders: decoded.decoders,
  };
}
function addCounts(a: ImageFolder['decoders'], b: ImageFolder['decoders']): ImageFolder['decoders'] {
  const out = { ...a };
  for (const [k, n] of Object.entries(b) as Array<[ImageDecoder, number]>) out[k] = (out[k] ?? 0) + n;
  return out;
}

export interface ImageFolderSplits extends DataSplits {
  /** How many files each decoder decoded (training and test sets). */
  decoders: ImageFolder['decoders'];
  skipped: ImageFolder['skipped'];
  /** How the test set was made: the folder's own val/ or test/, or a seeded split. */
  split: string;
}

/**
 * Training and test sets from an image folder: its train/ and val/ (or
 * test/) subfolders when it has them (the same class folders in both);
 * otherwise one class folder per class, split at random (seeded) with
 * `testFraction` of the samples for testing.
 */
export async function loadImageFolderSplits(dir: string, options: ImageFolderOptions & { testFraction?: number; seed?: number } = {}): Promise<ImageFolderSplits> {
  const { testFraction = 0.1, seed = 0, ...read } = options;
  const sub = ['val', 'test'].map((n) => path.join(dir, n)).find((p) => fs.existsSync(p) && fs.statSync(p).isDirectory());
  const trainDir = path.join(dir, 'train');
  const name = `image folder ${dir}`;
  if (sub !== undefined && fs.existsSync(trainDir) && fs.statSync(trainDir).isDirectory()) {
    const train = await readImageFolder(trainDir, read);
    const test = await readImageFolder(sub, read);
    if (test.classNames.join('\0') !== train.classNames.join('\0')) {
      throw new ImageFormatError(sub, `its class folders (${test.classNames.join(', ')}) are not those of ${trainDir} (${train.classNames.join(', ')})`);
    }
    return {
      name, dir, train: train.dataset, test: test.dataset, classNames: train.classNames, decoders: addCounts(train.decoders, test.decoders), skipped: [...train.skipped, ...test.skipped], split: `train/ and ${path.basename(sub)}/`,
    };
  }
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`loadImageFolderSplits: testFraction must be in (0, 1), got ${String(testFraction)}`);
  const all = await readImageFolder(dir, read);
  const order = Int32Array.from({ length: all.dataset.length }, (_, i) => i);
  new Rng(seed).shuffle(order);
  const cut = Math.max(1, Math.round(order.length * testFraction));
  if (cut >= order.length) throw new RangeError(`${dir}: ${order.length} image(s) are too few to split into training and test sets`);
  const test = all.dataset.select(order.subarray(0, cut).slice().sort());
  const train = all.dataset.select(order.subarray(cut).slice().sort());
  return {
    name, dir, train, test, classNames: all.classNames, decoders: all.decoders, skipped: all.skipped, split: `a seeded split (seed ${seed}): ${cut} test image(s), ${order.length - cut} training`,
  };
}
