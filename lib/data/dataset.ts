// An in-memory image classification dataset (NCHW float images + integer
// labels) and the batches a training loop walks through.
//
// fit() trains in a worker thread, which reads the dataset without a copy
// when its arrays live in a SharedArrayBuffer. The loaders create them
// there (sharedFloat32/sharedInt32); a dataset built from ordinary arrays
// is copied once, by share(), in slices that let the event loop run, and
// the shared copy is kept for every later fit.
import { Rng, globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';

/** A dataset's training and test sets, as the loaders return them. */
export interface DataSplits {
  /** What the data is, for logs ("CIFAR-10 (/data/cifar)"). */
  name: string;
  dir: string;
  train: Dataset;
  test: Dataset;
  /** One name per class, when the data says (CIFAR's meta files, image folders' subfolders). */
  classNames?: string[];
  /** The per-channel normalisation the images were given: (v - mean) / std on pixels in [0, 1]. */
  mean: number[];
  std: number[];
}

/** A zeroed Float32Array in a SharedArrayBuffer. */
export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

/** A zeroed Int32Array in a SharedArrayBuffer. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

const isShared = (a: Float32Array | Int32Array) => a.buffer instanceof SharedArrayBuffer;

/** Values copied per slice by share() before it lets the event loop run (4 MB: about 20 ms into fresh pages). */
const SHARE_SLICE = 1 << 20;

async function sharedCopy<T extends Float32Array | Int32Array>(a: T, make: (n: number) => T): Promise<T> {
  if (isShared(a)) return a;
  const out = make(a.length);
  for (let at = 0; at < a.length; at += SHARE_SLICE) {
    out.set(a.subarray(at, at + SHARE_SLICE) as never, at);
    if (at + SHARE_SLICE < a.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

export class Dataset {
  readonly length: number;
  readonly imageShape: readonly [number, number, number];
  #shared: Promise<Dataset> | undefined;

  /** images: length * c * h * w floats; labels: one class index per image. */
  constructor(readonly images: Float32Array, readonly labels: Int32Array, imageShape: readonly [number, number, number], readonly numClasses = 10) {
    const per = imageShape[0] * imageShape[1] * imageShape[2];
    if (images.length !== labels.length * per) {
      throw new RangeError(`Dataset: ${labels.length} labels need ${labels.length * per} image values ([${imageShape.join(', ')}] each), got ${images.length}`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (!(labels[i]! >= 0 && labels[i]! < numClasses)) throw new RangeError(`Dataset: label ${i} is ${labels[i]}, not a class in [0, ${numClasses})`);
    }
    this.length = labels.length;
    this.imageShape = imageShape;
  }

  /** True when both arrays live in a SharedArrayBuffer (a worker reads them without a copy). */
  get isShared(): boolean {
    return isShared(this.images) && isShared(this.labels);
  }

  /**
   * This dataset with its arrays in shared memory: itself when they already
   * are, else a copy made once (in slices, so the event loop keeps
   * running) and returned again on every later call.
   */
  share(): Promise<Dataset> {
    if (this.isShared) return Promise.resolve(this);
    this.#shared ??= (async () => new Dataset(
      await sharedCopy(this.images, sharedFloat32), await sharedCopy(this.labels, sharedInt32), this.imageShape, this.numClasses))();
    return this.#shared;
  }

  get imageSize(): number {
    return this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
  }

  /** The first n examples (or all, if fewer). */
  take(n: number): Dataset {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`Dataset.take: n must be a whole number >= 0, got ${String(n)}`);
    const k = Math.min(n, this.length);
    return new Dataset(this.images.subarray(0, k * this.imageSize), this.labels.subarray(0, k), this.imageShape, this.numClasses);
  }

  /** One batch of the given example indices, as an [n, c, h, w] tensor and labels. */
  gather(indices: ArrayLike<number>): { x: Tensor; y: Int32Array } {
    const per = this.imageSize;
    const x = new Float32Array(indices.length * per);
    const y = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const idx = indices[i]!;
      x.set(this.images.subarray(idx * per, (idx + 1) * per), i * per);
      y[i] = this.labels[idx]!;
    }
    return { x: new Tensor(x, [indices.length, ...this.imageShape]), y };
  }

  /** Batches in order, or shuffled by the generator; the last one may be smaller. */
  *batches(batchSize: number, options: { shuffle?: boolean; rng?: Rng } = {}): Generator<{ x: Tensor; y: Int32Array }> {
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    const order = Int32Array.from({ length: this.length }, (_, i) => i);
    if (options.shuffle) (options.rng ?? globalRng).shuffle(order);
    for (let start = 0; start < this.length; start += batchSize) {
      yield this.gather(order.subarray(start, Math.min(start + batchSize, this.length)));
    }
  }

  numBatches(batchSize: number): number {
    return Math.ceil(this.length / batchSize);
  }
}

/** Bytes 0..255 to floats, normalised: (v / 255 - mean) / std; in shared memory. */
export function normalizeBytes(bytes: Uint8Array, mean: number, std: number): Float32Array {
  const out = sharedFloat32(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i]! / 255 - mean) / std;
  return out;
}
