// The shared memory between a data loader (loader.ts) and its workers
// (loader-worker.ts): a ring of slots, each holding one batch.
import type { DatasetOptions } from './dataset';

/** Values per slot in LoaderJob.meta. */
export const META = 4;

/** A slot's state (Int32 in shared memory). */
export enum Slot {
  Free = 0,
  Requested = 1,
  Working = 2,
  Ready = 3,
  Failed = 4,
}

/** What a loader worker receives: the dataset (shared, no copy) and the slots. */
export interface LoaderJob {
  images: Float32Array | Uint8Array;
  labels: Int32Array;
  shape: [number, number, number];
  numClasses: number;
  options: DatasetOptions;
  /** [0]: request count (workers wait on it), [1]: 1 when the loader is closed. */
  control: Int32Array;
  /** One Slot per slot. */
  state: Int32Array;
  /** Per slot, META values: sample count, the draw (seed, epoch) its augmentation uses, batch number. */
  meta: Float64Array;
  /** Per slot: up to maxBatch sample indices. */
  indices: Int32Array;
  xs: Float32Array;
  ys: Int32Array;
  maxBatch: number;
  /** Floats of one sample as gathered. */
  sampleSize: number;
}

/** Slot s's batch: its sample count, indices, and the arrays its images and labels go in. */
export function slotBatch(job: LoaderJob, s: number): { n: number; indices: Int32Array; x: Float32Array; y: Int32Array } {
  const n = job.meta[s * META]!, at = s * job.maxBatch;
  return { n, indices: job.indices.subarray(at, at + n), x: job.xs.subarray(at * job.sampleSize, (at + n) * job.sampleSize), y: job.ys.subarray(at, at + n) };
}
