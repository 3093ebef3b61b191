// How an epoch's samples are dealt to the ranks of a data-parallel run.
// The epoch's order (the same shuffle on every rank: one seed) is cut into
// global batches of the batch size, as one process would; each global
// batch is cut into one contiguous slice per rank, sizes differing by at
// most one (the first ranks take the extra samples). Every sample is seen
// exactly once per epoch, by one rank. A last global batch smaller than the
// number of ranks would leave a rank without samples: it is merged into the
// batch before (so that epoch has one batch less, one of them larger).

/** Where each global batch starts in the epoch's order, and where the last ends (batches + 1 offsets). */
export function globalBatchOffsets(samples: number, batchSize: number, ranks: number): Int32Array {
  if (samples < ranks) throw new RangeError(`data-parallel training over ${ranks} processes needs at least ${ranks} samples, got ${samples}`);
  const starts: number[] = [];
  for (let at = 0; at < samples; at += batchSize) starts.push(at);
  if (starts.length > 1 && samples - starts.at(-1)! < ranks) starts.pop();
  return Int32Array.from([...starts, samples]);
}

/** Rank `rank`'s slice [start, end) of the global batch [from, to). */
export function rankSlice(from: number, to: number, rank: number, ranks: number): [number, number] {
  const n = to - from, base = Math.floor(n / ranks), extra = n % ranks;
  const start = from + rank * base + Math.min(rank, extra);
  return [start, start + base + (rank < extra ? 1 : 0)];
}

/** This rank's samples of the epoch in batch order, and where each of its batches starts in them (the loader's order and offsets). */
export function rankOrder(order: Int32Array, global: Int32Array, rank: number, ranks: number): { order: Int32Array; offsets: Int32Array } {
  const slices = Array.from({ length: global.length - 1 }, (_, b) => rankSlice(global[b]!, global[b + 1]!, rank, ranks));
  const offsets = new Int32Array(slices.length + 1);
  slices.forEach(([s, e], b) => { offsets[b + 1] = offsets[b]! + e - s; });
  const mine = new Int32Array(offsets.at(-1)!);
  slices.forEach(([s, e], b) => mine.set(order.subarray(s, e), offsets[b]!));
  return { order: mine, offsets };
}

/** The largest batch a rank gets for this batch size (the loader's slot size). */
export function largestRankBatch(batchSize: number, ranks: number): number {
  return Math.ceil((batchSize + ranks - 1) / ranks);
}
