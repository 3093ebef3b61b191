// An in-memory image classification dataset (NCHW float images + integer
// labels) and the batches a training loop walks through.
import { Rng, globalRng } from '../tensor/random';
import { Tensor } from '../tensor/tensor';

export class Dataset {
  readonly length: number;
  readonly imageShape: readonly [number, number, number];

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

/** Bytes 0..255 to floats, normalised: (v / 255 - mean) / std. */
export function normalizeBytes(bytes: Uint8Array, mean: number, std: number): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = (bytes[i]! / 255 - mean) / std;
  return out;
}
