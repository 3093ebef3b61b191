// A folder of images with one subfolder per class (torchvision's
// ImageFolder, Keras' image_dataset_from_directory): class names are the
// subfolders, sorted; every .png, .jpg and .jpeg file below one (any size;
// grayscale, RGB or RGBA, alpha dropped) is a sample of that class. Each is
// decoded, its shorter side resized to `size` and the central size x size
// square kept (Resize + CenterCrop), and stored as bytes in shared memory;
// batches are normalised (and augmented, transforms.ts) as they are gathered.
//
// Decoding uses sharp (libvips, prebuilt from npm) when it loads: its work
// runs on libuv's thread pool, `concurrency` files at a time. Where sharp
// cannot load, the pure-JS decoders (pngjs, jpeg-js) and resize.ts do it on
// this thread. Both give the same bytes for an image that needs no resize.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../tensor/random';
import { Dataset, sharedArray, type DataSplits, type PixelNorm } from './dataset';
import { DEFAULT_LIMIT_INPUT_PIXELS, ImageFormatError, decodeImage, imageBytes } from './image';
import { resizeCoverToChw } from './resize';

export type ImageDecoder = 'sharp' | 'js';

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
  /** 'auto' (default): sharp when it loads, else 'js'. */
  decoder?: 'auto' | ImageDecoder;
  /** Files decoded at once with sharp (default: twice the cores). */
  concurrency?: number;
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
  decoder: ImageDecoder;
}

const EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

// The part of sharp used here, typed locally: sharp's own typings differ
// between its CommonJS and ES entry points, and a consumer of convnode's
// declarations must not need them (sharp is an optional dependency).
interface SharpImage {
  resize(width: number, height: number, options: { fit: 'cover'; position: 'centre'; kernel: 'linear' }): SharpImage;
  grayscale(): SharpImage;
  removeAlpha(): SharpImage;
  toColourspace(space: 'srgb'): SharpImage;
  raw(): SharpImage;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { channels: number } }>;
}
type Sharp = (file: string, options: { limitInputPixels: number; failOn: 'error' }) => SharpImage;
let sharpModule: Sharp | null | undefined;

/** sharp, if it is installed and its native library loads here; else null (once). */
export function loadSharp(): Sharp | null {
  if (sharpModule === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sharpModule = require('sharp') as unknown as Sharp;
    } catch {
      sharpModule = null;
    }
  }
  return sharpModule;
}

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

/** One image as channels x size x size bytes, with sharp. */
async function decodeWithSharp(sharp: Sharp, file: string, size: number, channels: 1 | 3, limit: number): Promise<Uint8Array> {
  let img = sharp(file, { limitInputPixels: limit, failOn: 'error' }).resize(size, size, { fit: 'cover', position: 'centre', kernel: 'linear' });
  img = channels === 1 ? img.grayscale() : img.removeAlpha().toColourspace('srgb');
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const planes = new Uint8Array(channels * size * size);
  const have = info.channels;
  for (let i = 0; i < size * size; i++) for (let c = 0; c < channels; c++) planes[c * size * size + i] = data[i * have + Math.min(c, have - 1)]!;
  return planes;
}

/** One image as channels x size x size bytes, with the pure-JS decoders and resize.ts. */
function decodeWithJs(file: string, size: number, channels: 1 | 3, limit: number): Uint8Array {
  const img = decodeImage(file, { limitInputPixels: limit });
  return resizeCoverToChw(imageBytes(img, channels), img.width, img.height, channels, size);
}

/** Reads an image folder into a byte dataset (see the top of this file). */
export async function readImageFolder(dir: string, options: ImageFolderOptions = {}): Promise<ImageFolder> {
  const size = options.size ?? 32, channels = options.channels ?? 3;
  if (!(Number.isInteger(size) && size >= 1 && size <= 4096)) throw new RangeError(`readImageFolder: size must be a whole number from 1 to 4096, got ${String(size)}`);
  if (channels !== 1 && channels !== 3) throw new RangeError(`readImageFolder: channels must be 1 or 3, got ${String(channels)}`);
  const pixels: PixelNorm = { mean: options.mean ?? Array(channels).fill(0.5), std: options.std ?? Array(channels).fill(0.5) };
  const wanted = options.decoder ?? 'auto';
  const sharp = wanted === 'js' ? null : loadSharp();
  if (wanted === 'sharp' && sharp === null) throw new Error('readImageFolder: decoder sharp was asked for, but sharp does not load here (npm install sharp)');
  const decoder: ImageDecoder = sharp === null ? 'js' : 'sharp';
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  const classes = listClasses(dir);
  const all = classes.flatMap((c, label) => c.files.map((file) => ({ file, label })));
  const per = channels * size * size;
  const decoded: Array<Uint8Array | null> = new Array(all.length).fill(null);
  const skipped: ImageFolder['skipped'] = [];
  const one = async (k: number) => {
    const { file } = all[k]!;
    try {
      decoded[k] = sharp !== null ? await decodeWithSharp(sharp, file, size, channels, limit) : decodeWithJs(file, size, channels, limit);
    } catch (err) {
      const reason = err instanceof ImageFormatError ? err.message.slice(file.length + 2) : `cannot decode image (${(err as Error).message})`;
      if (options.skipInvalid !== true) throw new ImageFormatError(file, `${reason}; pass skipInvalid (--skip-invalid) to leave such files out`);
      skipped.push({ file, reason });
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 2 * os.availableParallelism());
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, all.length) }, async () => {
    while (next < all.length) await one(next++);
  }));
  const kept = all.map((s, k) => ({ ...s, bytes: decoded[k] })).filter((s) => s.bytes !== null);
  if (kept.length === 0) throw new ImageFormatError(dir, 'no image could be decoded');
  const images = sharedArray(Uint8Array, kept.length * per), labels = sharedArray(Int32Array, kept.length);
  kept.forEach((s, i) => {
    images.set(s.bytes!, i * per);
    labels[i] = s.label;
  });
  return {
    dataset: new Dataset(images, labels, [channels, size, size], classes.length, { pixels }),
    classNames: classes.map((c) => c.name), files: kept.map((s) => s.file), skipped, decoder,
  };
}

export interface ImageFolderSplits extends DataSplits {
  decoder: ImageDecoder;
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
      name, dir, train: train.dataset, test: test.dataset, classNames: train.classNames, decoder: train.decoder, skipped: [...train.skipped, ...test.skipped], split: `train/ and ${path.basename(sub)}/`,
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
    name, dir, train, test, classNames: all.classNames, decoder: all.decoder, skipped: all.skipped, split: `a seeded split (seed ${seed}): ${cut} test image(s), ${order.length - cut} training`,
  };
}
