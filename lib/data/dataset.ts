// An in-memory image classification dataset (NCHW float images + integer
// labels) and the batches a training loop walks through.
//
// fit() trains in a worker thread, which reads the dataset without a copy
// when its arrays live in a SharedArrayBuffer. The loaders create them
// there (sharedArray); a dataset built from ordinary arrays
// is copied once, by share(), in slices that let the event loop run, and
// the shared copy is kept for every later fit.
import { Rng, globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';
import { augmentImage, augmentedShape, checkAugment, sampleRng, type Augment } from './transforms';

/** A dataset's training and test sets, as the loaders return them. */
export interface DataSplits {
  /** What the data is, for logs ("CIFAR-10 (/data/cifar)"). */
  name: string;
  dir: string;
  train: Dataset;
  test: Dataset;
  /** One name per class, when the data says (CIFAR's meta files, image folders' subfolders). */
  classNames?: string[];
}

type SharedKind = Float32Array | Int32Array | Uint8Array;
interface ArrayOf<T extends SharedKind> {
  new (buffer: SharedArrayBuffer): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A zeroed typed array of `length` elements in a SharedArrayBuffer: sharedArray(Uint8Array, n). */
export function sharedArray<T extends SharedKind>(Of: ArrayOf<T>, length: number): T {
  return new Of(new SharedArrayBuffer(length * Of.BYTES_PER_ELEMENT));
}

const isShared = (a: SharedKind) => a.buffer instanceof SharedArrayBuffer;

/** Values copied per slice by share() before it lets the event loop run (4 MB: about 20 ms into fresh pages). */
const SHARE_SLICE = 1 << 20;

async function sharedCopy<T extends SharedKind>(a: T): Promise<T> {
  if (isShared(a)) return a;
  const out = sharedArray(a.constructor as ArrayOf<T>, a.length);
  for (let at = 0; at < a.length; at += SHARE_SLICE) {
    out.set(a.subarray(at, at + SHARE_SLICE) as never, at);
    if (at + SHARE_SLICE < a.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** How stored pixel bytes become the model's floats: (byte / 255 - mean[c]) / std[c]. */
export interface PixelNorm {
  mean: number[];
  std: number[];
}

export interface DatasetOptions {
  /**
   * Required with Uint8Array images (how bytes become floats); with float
   * images, how they were normalised (padding then fills with black).
   */
  pixels?: PixelNorm;
  /** Training-time augmentation (transforms.ts), applied by gather when it is given a run's seed and epoch. */
  augment?: Augment;
}

/** The per-sample randomness of one epoch of a run (gather augments only when given one). */
export interface Draw {
  seed: number;
  epoch: number;
}

export class Dataset {
  readonly length: number;
  readonly imageShape: readonly [number, number, number];
  readonly pixels: PixelNorm | undefined;
  readonly augment: Augment | undefined;
  #shared: Promise<Dataset> | undefined;
  /** Each channel's byte -> float table (byte images). */
  readonly #tables: Float32Array[] | null;

  /**
   * images: length * c * h * w values, NCHW: floats as the model takes them,
   * or bytes that `options.pixels` normalises; labels: one class index per image.
   */
  constructor(readonly images: Float32Array | Uint8Array, readonly labels: Int32Array, imageShape: readonly [number, number, number],
    readonly numClasses = 10, options: DatasetOptions = {}) {
    const per = imageShape[0] * imageShape[1] * imageShape[2];
    if (images.length !== labels.length * per) {
      throw new RangeError(`Dataset: ${labels.length} labels need ${labels.length * per} image values ([${imageShape.join(', ')}] each), got ${images.length}`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (!(labels[i]! >= 0 && labels[i]! < numClasses)) throw new RangeError(`Dataset: label ${i} is ${labels[i]}, not a class in [0, ${numClasses})`);
    }
    const px = options.pixels;
    if (px !== undefined && !(px.mean.length === imageShape[0] && px.std.length === imageShape[0] && px.std.every((v) => v > 0))) {
      throw new RangeError(`Dataset: pixels needs a mean and a std > 0 for each of the ${imageShape[0]} channels, got ${JSON.stringify(px)}`);
    }
    if (images instanceof Uint8Array && px === undefined) throw new TypeError('Dataset: byte images need options.pixels (mean and std per channel)');
    if (options.augment !== undefined) checkAugment(options.augment, imageShape);
    this.length = labels.length;
    this.imageShape = imageShape;
    this.pixels = px;
    this.augment = options.augment;
    this.#tables = images instanceof Uint8Array ? px!.mean.map((m, c) => Float32Array.from({ length: 256 }, (_, v) => (v / 255 - m) / px!.std[c]!)) : null;
  }

  /** The options this dataset was made with (a worker rebuilds it from them). */
  get options(): DatasetOptions {
    return { pixels: this.pixels, augment: this.augment };
  }

  /** The same images and labels with another augmentation (undefined: none). */
  withAugment(augment: Augment | undefined): Dataset {
    return new Dataset(this.images, this.labels, this.imageShape, this.numClasses, { pixels: this.pixels, augment });
  }

  /** The shape of one image as gather returns it (after augmentation when drawn). */
  sampleShape(draw?: Draw): [number, number, number] {
    return draw !== undefined && this.augment !== undefined ? augmentedShape(this.imageShape, this.augment) : [...this.imageShape];
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
    this.#shared ??= (async () => {
      return new Dataset(await sharedCopy(this.images), await sharedCopy(this.labels), this.imageShape, this.numClasses, this.options);
    })();
    return this.#shared;
  }

  get imageSize(): number {
    return this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
  }

  /** The first n examples (or all, if fewer). */
  take(n: number): Dataset {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`Dataset.take: n must be a whole number >= 0, got ${String(n)}`);
    const k = Math.min(n, this.length);
    return new Dataset(this.images.subarray(0, k * this.imageSize), this.labels.subarray(0, k), this.imageShape, this.numClasses, this.options);
  }

  /** The examples at `indices`, in that order, copied into a new dataset in shared memory. */
  select(indices: ArrayLike<number>): Dataset {
    const per = this.imageSize;
    const images = sharedArray(this.images.constructor as ArrayOf<Float32Array | Uint8Array>, indices.length * per);
    const labels = sharedArray(Int32Array, indices.length);
    for (let i = 0; i < indices.length; i++) {
      const idx = indices[i]!;
      images.set(this.images.subarray(idx * per, (idx + 1) * per) as never, i * per);
      labels[i] = this.labels[idx]!;
    }
    return new Dataset(images, labels, this.imageShape, this.numClasses, this.options);
  }

  /** Image `index` as the model's floats (bytes normalised), into out at `at`. */
  private floatsOf(index: number, out: Float32Array, at: number): void {
    const per = this.imageSize;
    if (this.#tables === null) {
      out.set((this.images as Float32Array).subarray(index * per, (index + 1) * per), at);
      return;
    }
    const bytes = this.images as Uint8Array, plane = this.imageShape[1] * this.imageShape[2];
    for (let c = 0; c < this.imageShape[0]; c++) {
      const t = this.#tables[c]!, from = index * per + c * plane, to = at + c * plane;
      for (let i = 0; i < plane; i++) out[to + i] = t[bytes[from + i]!]!;
    }
  }

  /**
   * One batch of the given example indices, as an [n, c, h, w] tensor and
   * labels. With `draw` (a run's seed and epoch) the augmentation is applied,
   * each sample from its own generator (transforms.ts: sampleRng).
   */
  gather(indices: ArrayLike<number>, draw?: Draw): { x: Tensor; y: Int32Array } {
    const shape = this.sampleShape(draw);
    const x = new Float32Array(indices.length * shape[0] * shape[1] * shape[2]);
    const y = new Int32Array(indices.length);
    this.gatherInto(indices, draw, x, y);
    return { x: new Tensor(x, [indices.length, ...shape]), y };
  }

  /**
   * gather's work into given arrays (the data loader's shared slots): x holds
   * at least indices.length samples of sampleShape(draw), y the labels.
   */
  gatherInto(indices: ArrayLike<number>, draw: Draw | undefined, x: Float32Array, y: Int32Array): void {
    const shape = this.sampleShape(draw);
    const per = shape[0] * shape[1] * shape[2];
    const augmenting = draw !== undefined && this.augment !== undefined;
    const source = augmenting ? new Float32Array(this.imageSize) : null;
    const fill = this.pixels ? this.pixels.mean.map((m, c) => -m / this.pixels!.std[c]!) : [];
    for (let i = 0; i < indices.length; i++) {
      const idx = indices[i]!;
      if (source === null) {
        this.floatsOf(idx, x, i * per);
      } else {
        this.floatsOf(idx, source, 0);
        augmentImage(this.augment!, this.imageShape, source, 0, x, i * per, sampleRng(draw!.seed, draw!.epoch, idx), fill);
      }
      y[i] = this.labels[idx]!;
    }
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
  const out = sharedArray(Float32Array, bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i]! / 255 - mean) / std;
  return out;
}
