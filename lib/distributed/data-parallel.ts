// Data-parallel training over MPI, as PyTorch's DistributedDataParallel:
//   - at start, rank 0's weights, buffers and optimizer state (as checkpoint
//     bytes) and the run's seed are broadcast, so every rank starts from the
//     same point; a resumed run broadcasts rank 0's checkpoint file;
//   - each global batch (the batch size of one process) is split into one
//     contiguous slice per rank (sizes differing by at most one), so the
//     ranks together see every sample exactly once per epoch (shards.ts);
//   - each rank back-propagates its part of the global mean loss
//     (n_rank / n times its own mean), so the sum of the ranks' gradients is
//     the gradient of the whole batch, also when slices are uneven;
//   - gradients are summed by allreduce over buckets of parameters fused
//     into one buffer (last layers first, as backward produces them); the
//     gradients live in the buckets (each parameter's gradient array is its
//     view of one, as PyTorch's gradient_as_bucket_view), so nothing is
//     copied; a bucket's allreduce starts as soon as its last gradient is
//     final, while backward goes on with the layers below, and MPI is given
//     a turn after every op so the sums progress meanwhile;
//   - the batch's loss and correct count ride in the first bucket, so every
//     rank reports the global numbers at no extra message; the last bucket
//     (the first layers, whose gradients come last) is summed with a
//     blocking allreduce once backward ends;
//   - batch norm statistics stay per rank (rank 0's running statistics are
//     broadcast before validation and at the end) unless syncBatchNorm is
//     asked for: then every batch norm layer's batch statistics, and the sums
//     its input gradient needs, are those of the global batch.
import { observeBackward, type BackwardObserver, type GraphNode } from '../autograd/engine';
import { withBatchNormSync } from '../autograd/ops/batchnorm';
import type { Module } from '../nn/module';
import { Tensor } from '../tensor/tensor';
import { checkOptionKeys } from '../util/options';
import type { MpiAddon } from './mpi';

export interface DistributedOptions {
  /**
   * Bytes of gradients fused into one allreduce (default 25 MiB, PyTorch's
   * default). Smaller buckets start sooner during backward, but on Open MPI
   * 4.1 over shared memory several non-blocking allreduces in flight were
   * slower than one blocking allreduce of the same bytes (bench/RESULTS.md).
   */
  bucketBytes?: number;
  /** Synchronise batch norm statistics across ranks (default false: per rank, as PyTorch's BatchNorm2d under DDP). */
  syncBatchNorm?: boolean;
}

/** Values riding in the first bucket after its gradients: the batch's loss sum and correct count. */
const METRICS = 2;

/**
 * The most gradient bytes of the bucket summed last (the first layers'),
 * whose sum waits for the end of backward with nothing left to overlap it:
 * kept small, as PyTorch keeps its first bucket small (1 MiB).
 */
const LAST_BUCKET_BYTES = 1 << 20;

interface Bucket {
  params: Tensor[];
  /** Each parameter's gradient array: its part of `buffer`. */
  views: Float32Array[];
  /** The fused gradients (+ METRICS for the first bucket), in a SharedArrayBuffer (MPI reads it in flight). */
  buffer: Float32Array;
  /** Gradients still to come this step. */
  waiting: number;
  /** This step's allreduce: not started (null), in flight (a request number), or done. */
  request: number | null | 'done';
}

export function checkDistributedOptions(o: unknown): DistributedOptions {
  if (o === true || o === undefined) return {};
  if (typeof o !== 'object' || o === null) throw new TypeError(`fit: distributed must be true or { bucketBytes, syncBatchNorm }, got ${JSON.stringify(o)}`);
  checkOptionKeys('fit: distributed', o, ['bucketBytes', 'syncBatchNorm']);
  const { bucketBytes, syncBatchNorm } = o as DistributedOptions;
  if (bucketBytes !== undefined && !(Number.isInteger(bucketBytes) && bucketBytes >= 4)) {
    throw new RangeError(`fit: distributed.bucketBytes must be a whole number of bytes >= 4, got ${JSON.stringify(bucketBytes)}`);
  }
  if (syncBatchNorm !== undefined && typeof syncBatchNorm !== 'boolean') throw new TypeError(`fit: distributed.syncBatchNorm must be true or false, got ${JSON.stringify(syncBatchNorm)}`);
  return { ...(bucketBytes !== undefined ? { bucketBytes } : {}), ...(syncBatchNorm !== undefined ? { syncBatchNorm } : {}) };
}

export class DataParallel {
  readonly #buckets: Bucket[];
  readonly #bucketOf = new Map<GraphNode, Bucket>();
  readonly #inFlight: Bucket[] = [];
  readonly #observer: BackwardObserver;
  readonly syncBatchNorm: boolean;

  constructor(private readonly mpi: MpiAddon, readonly rank: number, readonly size: number, private readonly model: Module, options: DistributedOptions = {}) {
    this.syncBatchNorm = options.syncBatchNorm ?? false;
    const limit = options.bucketBytes ?? 25 << 20;
    // Buckets are cut walking the layers from the first: the first cut (the
    // bucket summed last, after backward, when nothing is left to overlap)
    // holds at most LAST_BUCKET_BYTES, the others `limit`. They are summed
    // last layers first, the order backward makes their gradients.
    const groups: Tensor[][] = [];
    let current: Tensor[] = [], bytes = 0;
    for (const p of model.parameters().filter((q) => q.requiresGrad)) {
      current.push(p);
      bytes += 4 * p.size;
      if (bytes >= (groups.length === 0 ? Math.min(limit, LAST_BUCKET_BYTES) : limit)) {
        groups.push(current);
        current = [];
        bytes = 0;
      }
    }
    if (current.length > 0 || groups.length === 0) groups.push(current);
    this.#buckets = groups.reverse().map((group, k) => {
      const params = group.reverse();
      const n = params.reduce((t, p) => t + p.size, 0);
      const buffer = new Float32Array(new SharedArrayBuffer(4 * (n + (k === 0 ? METRICS : 0))));
      let at = 0;
      const views = params.map((p) => buffer.subarray(at, (at += p.size)));
      const bucket: Bucket = { params, views, buffer, waiting: 0, request: null };
      for (const p of params) this.#bucketOf.set(p, bucket);
      return bucket;
    });
    this.#observer = { leafGrad: (leaf) => this.gradReady(leaf), afterOp: () => this.#progress() };
  }

  /** How the parameters were bucketed (sizes in floats), for logs and tests. */
  get bucketSizes(): number[] {
    return this.#buckets.map((b) => b.params.reduce((n, p) => n + p.size, 0));
  }

  /** Rank 0's buffers (batch norm statistics) into every rank's: the parameters are the same everywhere already. */
  broadcastModel(): void {
    for (const [, t] of this.model.namedBuffers()) this.mpi.broadcast(t.data, 0);
  }

  /** Rank 0's value of one number. */
  broadcastNumber(v: number): number {
    const a = Float64Array.of(v);
    this.mpi.broadcast(a, 0);
    return a[0]!;
  }

  /** Rank 0's bytes (of any length) on every rank. */
  broadcastBytes(bytes: Uint8Array | null): Uint8Array {
    const length = this.broadcastNumber(bytes?.length ?? 0);
    const out = this.rank === 0 ? bytes! : new Uint8Array(length);
    if (length > 0) this.mpi.broadcast(out, 0);
    return out;
  }

  /** Sums of `values` over ranks (float64), in a new array. */
  sum(values: number[]): number[] {
    const a = Float64Array.from(values);
    this.mpi.allreduce(a, 'sum');
    return Array.from(a);
  }

  /** True on every rank when it is true on any (a stop asked for by one rank's callbacks stops all). */
  any(flag: boolean): boolean {
    const a = Int32Array.of(flag ? 1 : 0);
    this.mpi.allreduce(a, 'max');
    return a[0] === 1;
  }

  /** A batch norm synchronisation over every rank (blocking sums). */
  readonly batchNormSync = (values: Float64Array): void => {
    this.mpi.allreduce(values, 'sum');
  };

  /**
   * One training step's backward and gradient sums: `backward` runs this
   * rank's part of the loss backward;
   * `metrics` ([loss sum, correct]) are summed with the gradients. When it
   * returns, every parameter's .grad holds the global batch's gradient.
   */
  reduceStep(backward: () => void, metrics: [number, number]): [number, number] {
    for (const b of this.#buckets) {
      b.waiting = b.params.length;
      b.request = null;
      // Backward writes each first gradient into the spare array: the bucket's view.
      b.params.forEach((p, i) => { if (p.grad === null) p.spareGrad = b.views[i]!; });
    }
    const first = this.#buckets[0]!;
    first.buffer[first.buffer.length - 2] = metrics[0];
    first.buffer[first.buffer.length - 1] = metrics[1];
    observeBackward(this.#observer, backward);
    // Buckets whose gradients did not all come (parameters this batch did not
    // use) go now, in the same order on every rank, with zeros for the missing;
    // the last bucket is summed in place, blocking.
    const last = this.#buckets.at(-1)!;
    for (const b of this.#buckets) if (b.request === null && b !== last) this.#launch(b);
    this.#fill(last);
    this.mpi.allreduce(last.buffer, 'sum');
    for (const b of this.#inFlight.splice(0)) if (b.request !== 'done') this.mpi.wait(b.request as number);
    for (const b of this.#buckets) {
      b.params.forEach((p, i) => {
        const summed = b.views[i]!;
        if (p.grad === null) p.grad = new Tensor(summed, p.shape);
        else if (p.grad.data !== summed) p.grad.data.set(summed);
      });
    }
    return [first.buffer[first.buffer.length - 2]!, first.buffer[first.buffer.length - 1]!];
  }

  /**
   * A parameter's gradient is final (the backward pass says so): its bucket
   * goes when it was the last. The last bucket (the first layers, final
   * only when backward ends) is left to reduceStep, which sums it with a
   * blocking MPI_Allreduce: nothing is left to overlap, and MPI's blocking
   * algorithms beat its non-blocking ones (a small model has only that bucket).
   */
  gradReady(param: GraphNode): void {
    const bucket = this.#bucketOf.get(param);
    if (bucket !== undefined && --bucket.waiting === 0 && bucket !== this.#buckets.at(-1)) this.#launch(bucket);
  }

  /** Runs fn with batch norm synchronised when asked for. */
  withSync<T>(fn: () => T): T {
    return this.syncBatchNorm ? withBatchNormSync(this.batchNormSync, fn) : fn();
  }

  /** The bucket's buffer made whole: zeros for a parameter without a gradient this step, a gradient outside it (its array replaced) copied in. */
  #fill(b: Bucket): void {
    b.params.forEach((p, i) => {
      const view = b.views[i]!;
      if (p.grad === null) view.fill(0);
      else if (p.grad.data !== view) view.set(p.grad.data);
    });
  }

  #launch(b: Bucket): void {
    this.#fill(b);
    b.request = this.mpi.iallreduce(b.buffer);
    this.#inFlight.push(b);
  }

  #progress(): void {
    for (const b of this.#inFlight) if (b.request !== 'done' && this.mpi.test(b.request as number)) b.request = 'done';
  }
}
