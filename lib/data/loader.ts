// The batches of a training run, gathered (normalised and augmented) either
// on the training thread or ahead of time by worker threads, as PyTorch's
// DataLoader does with num_workers and prefetch_factor.
//
// With workers, batches are made in slots of shared memory: the training
// thread asks for batch b + depth in the slot batch b used once it moves on
// (so `depth` batches are in flight), a worker claims the request, fills the
// slot and marks it ready, and the training thread hands the slot's arrays
// to the step as they are (no copy). Every sample draws its augmentation from
// its own generator (transforms.ts: sampleRng), so batches are the same for
// any number of workers.
//
// Threads: the workers are JavaScript threads beside the kernels' OpenMP
// team; they do not take cores from it. A batch of 128 CIFAR-sized images
// with crop and flip takes about 4 ms in a worker against ~200 ms for a
// ResNet-20 step, so one worker keeps up with room to spare and costs the
// team little; see defaultDataWorkers for the rule and FitOptions.dataWorkers
// to set it.
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Tensor } from '../tensor/tensor';
import { workerScriptPath } from '../worker/host';
import { sharedArray, type Dataset, type Draw } from './dataset';
import { META, Slot, slotBatch, type LoaderJob } from './loader-slots';

/** How long take() waits for a worker to start on the batch it needs before making it itself. */
const STEAL_AFTER_MS = 250;

export interface LoaderOptions {
  /** Worker threads making batches ahead (0: on the calling thread). */
  workers: number;
  /** Batches each worker keeps ready ahead of the step (PyTorch's prefetch_factor; default 2). */
  prefetch?: number;
}

/**
 * The default number of data workers: one when a batch costs real work
 * (bytes to normalise or an augmentation to draw) and the machine has a
 * core to give it, else none (a float dataset without augmentation is one
 * copy per sample, cheaper than handing it over).
 */
export function defaultDataWorkers(data: Dataset): number {
  const work = data.images instanceof Uint8Array || data.augment !== undefined;
  return work && os.availableParallelism() >= 2 ? 1 : 0;
}

/** Checks FitOptions.dataWorkers / prefetch; the message names the option. */
export function checkLoaderOptions(workers: unknown, prefetch: unknown): void {
  if (workers !== undefined && !(Number.isInteger(workers) && (workers as number) >= 0 && (workers as number) <= 64)) {
    throw new RangeError(`fit: dataWorkers must be a whole number from 0 to 64, got ${JSON.stringify(workers)}`);
  }
  if (prefetch !== undefined && !(Number.isInteger(prefetch) && (prefetch as number) >= 1 && (prefetch as number) <= 16)) {
    throw new RangeError(`fit: prefetch must be a whole number from 1 to 16, got ${JSON.stringify(prefetch)}`);
  }
}

/** The batches of one epoch: take(b) in increasing order from the first batch. */
export interface BatchLoader {
  /**
   * Starts an epoch at batch `first`: `order` is the sample order, cut into
   * batches of the loader's batch size, or at `offsets` (batch b is
   * order[offsets[b]] to order[offsets[b + 1]], none longer than the batch size).
   */
  beginEpoch(order: Int32Array, first: number, draw: Draw, offsets?: Int32Array): void;
  /** Batch b (the previous batch's arrays may be reused from here on). */
  take(b: number): { x: Tensor; y: Int32Array };
  /** Stops the workers; the loader cannot be used afterwards. */
  close(): void;
  /** How many worker threads make the batches (0: this thread). */
  readonly workers: number;
}

/** An epoch's sample order cut into batches, and its draw: what both loaders keep of beginEpoch. */
class EpochBatches {
  order: Int32Array = new Int32Array(0);
  offsets: Int32Array = new Int32Array(1);
  draw: Draw = { seed: 0, epoch: 0 };

  constructor(private readonly batchSize: number) {}

  begin(order: Int32Array, draw: Draw, offsets?: Int32Array): void {
    this.order = order;
    this.offsets = epochOffsets(order.length, this.batchSize, offsets);
    this.draw = draw;
  }

  get count(): number {
    return this.offsets.length - 1;
  }

  /** The sample indices of batch b. */
  indices(b: number): Int32Array {
    return this.order.subarray(this.offsets[b]!, this.offsets[b + 1]!);
  }
}

/** Batch starts in an epoch's order: the given offsets (checked), or every batchSize samples. */
function epochOffsets(length: number, batchSize: number, offsets?: Int32Array): Int32Array {
  if (offsets === undefined) {
    const n = Math.ceil(length / batchSize);
    return Int32Array.from({ length: n + 1 }, (_, b) => Math.min(b * batchSize, length));
  }
  for (let b = 0; b + 1 < offsets.length; b++) {
    const size = offsets[b + 1]! - offsets[b]!;
    if (!(size >= 0 && size <= batchSize)) throw new RangeError(`BatchLoader: batch ${b} has ${size} samples; the loader's batches hold 0 to ${batchSize}`);
  }
  if (offsets[0] !== 0 || offsets.at(-1) !== length) throw new RangeError(`BatchLoader: offsets must run from 0 to the order's length ${length}`);
  return offsets;
}

/** Gathers each batch on the calling thread, when it is asked for. */
class InlineLoader implements BatchLoader {
  readonly workers = 0;
  readonly #epoch: EpochBatches;
  // One batch's arrays, reused: a fresh 200 KB array per batch cost LeNet
  // 6% of its epoch in page faults. The step reads a batch before the next take().
  readonly #x: Float32Array;
  readonly #y: Int32Array;
  constructor(private readonly data: Dataset, batchSize: number) {
    const [c, h, w] = data.sampleShape({ seed: 0, epoch: 0 });
    this.#epoch = new EpochBatches(batchSize);
    this.#x = new Float32Array(batchSize * c * h * w);
    this.#y = new Int32Array(batchSize);
  }
  beginEpoch(order: Int32Array, _first: number, draw: Draw, offsets?: Int32Array): void {
    this.#epoch.begin(order, draw, offsets);
  }
  take(b: number): { x: Tensor; y: Int32Array } {
    const indices = this.#epoch.indices(b), n = indices.length, draw = this.#epoch.draw;
    const shape = this.data.sampleShape(draw);
    const x = this.#x.subarray(0, n * shape[0] * shape[1] * shape[2]), y = this.#y.subarray(0, n);
    this.data.gatherInto(indices, draw, x, y);
    return { x: new Tensor(x, [n, ...shape]), y };
  }
  close(): void {}
}

/** Worker threads filling shared slots ahead of the step (see the top of this file). */
class PrefetchLoader implements BatchLoader {
  readonly #job: LoaderJob;
  readonly #threads: Worker[];
  readonly #depth: number;
  readonly #epoch: EpochBatches;
  /** The batch whose slot the step is reading (-1: none). */
  #held = -1;
  #closed = false;

  constructor(private readonly data: Dataset, batchSize: number, readonly workers: number, prefetch: number, script: string) {
    this.#depth = workers * prefetch + 1;
    this.#epoch = new EpochBatches(batchSize);
    const shape = data.sampleShape({ seed: 0, epoch: 0 });
    const sampleSize = shape[0] * shape[1] * shape[2], k = this.#depth;
    this.#job = {
      images: data.images, labels: data.labels, shape: [...data.imageShape], numClasses: data.numClasses, options: data.options,
      control: sharedArray(Int32Array, 2), state: sharedArray(Int32Array, k), meta: new Float64Array(new SharedArrayBuffer(k * META * 8)),
      indices: sharedArray(Int32Array, k * batchSize), xs: sharedArray(Float32Array, k * batchSize * sampleSize), ys: sharedArray(Int32Array, k * batchSize),
      maxBatch: batchSize, sampleSize,
    };
    this.#threads = Array.from({ length: workers }, () => {
      const w = new Worker(script, { workerData: this.#job });
      // A worker that cannot start leaves its requests to the others (or to
      // take(), which gathers a failed slot itself); it never holds a slot.
      w.unref();
      return w;
    });
  }

  beginEpoch(order: Int32Array, first: number, draw: Draw, offsets?: Int32Array): void {
    this.#cancelPending();
    this.#held = -1;
    this.#epoch.begin(order, draw, offsets);
    for (let b = first; b < Math.min(first + this.#depth, this.#epoch.count); b++) this.#request(b);
  }

  take(b: number): { x: Tensor; y: Int32Array } {
    const { state } = this.#job;
    const k = this.#depth, s = b % k;
    // The step that read the previous batch is done: its slot makes the
    // batch `depth` ahead.
    if (this.#held >= 0) {
      if (this.#held + k < this.#epoch.count) this.#request(this.#held + k);
      else Atomics.store(state, this.#held % k, Slot.Free);
    }
    this.#held = b;
    const { n, indices, x, y } = slotBatch(this.#job, s), draw = this.#epoch.draw;
    const gatherHere = () => {
      this.data.gatherInto(indices, draw, x, y);
      Atomics.store(state, s, Slot.Ready);
    };
    // Workers take the earliest batch asked for first, so the batch wanted
    // here is being made unless no worker could start: then, after a grace
    // period long enough for a worker to start, this thread makes it.
    const stealAt = performance.now() + STEAL_AFTER_MS;
    for (;;) {
      const st = Atomics.load(state, s);
      if (st === Slot.Ready || st === Slot.Failed) break;
      const now = performance.now();
      if (st === Slot.Requested && now >= stealAt && Atomics.compareExchange(state, s, Slot.Requested, Slot.Working) === Slot.Requested) {
        gatherHere();
        break;
      }
      Atomics.wait(state, s, st, st === Slot.Requested ? Math.max(1, stealAt - now) : 1000);
    }
    // The worker's error, thrown here with its real message and stack: the
    // same gather on this thread fails the same way (or, if the failure was
    // the worker's own, makes the batch).
    if (Atomics.load(state, s) === Slot.Failed) gatherHere();
    return { x: new Tensor(x, [n, ...this.data.sampleShape(draw)]), y };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    Atomics.store(this.#job.control, 1, 1);
    Atomics.add(this.#job.control, 0, 1);
    Atomics.notify(this.#job.control, 0);
    for (const w of this.#threads) void w.terminate();
  }

  /** Slots still asked for from an epoch that ended early (a stop) are taken back. */
  #cancelPending(): void {
    const { state } = this.#job;
    for (let s = 0; s < this.#depth; s++) {
      while (Atomics.compareExchange(state, s, Slot.Requested, Slot.Free) === Slot.Working) Atomics.wait(state, s, Slot.Working, 1000);
      Atomics.store(state, s, Slot.Free);
    }
  }

  #request(b: number): void {
    const { state, meta, indices, control, maxBatch } = this.#job;
    const s = b % this.#depth, idx = this.#epoch.indices(b);
    indices.set(idx, s * maxBatch);
    meta[s * META] = idx.length;
    meta[s * META + 1] = this.#epoch.draw.seed;
    meta[s * META + 2] = this.#epoch.draw.epoch;
    meta[s * META + 3] = b;
    Atomics.store(state, s, Slot.Requested);
    Atomics.add(control, 0, 1);
    Atomics.notify(control, 0, 1);
  }
}

/**
 * The loader for a run over `data`: worker threads when asked for and
 * possible (the dataset in shared memory, the worker script built), else
 * the calling thread.
 */
export function openBatchLoader(data: Dataset, batchSize: number, options: LoaderOptions): BatchLoader {
  const script = workerScriptPath('data/loader-worker');
  if (options.workers === 0 || !data.isShared || script === null) return new InlineLoader(data, batchSize);
  return new PrefetchLoader(data, batchSize, options.workers, options.prefetch ?? 2, script);
}
