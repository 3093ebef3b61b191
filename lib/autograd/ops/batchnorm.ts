// Batch normalisation over N, H, W per channel (NCHW), PyTorch semantics:
// batch statistics in training (biased variance to normalise, unbiased to
// update the running estimate), running statistics in evaluation.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

export interface BatchNormState {
  runningMean: Float32Array;
  runningVar: Float32Array;
  momentum: number;
  eps: number;
  /**
   * Synchronised batch norm (data-parallel training): sums `values` over
   * every process in place. The batch statistics, and the sums the input
   * gradient needs, are then those of the whole batch across processes.
   */
  sync?: (values: Float64Array) => void;
}

let activeSync: BatchNormState['sync'] | null = null;

/**
 * Runs fn with every batch norm in training mode synchronised through
 * `sync` (unless its state names its own): how data-parallel training
 * turns on synchronised batch norm without changing the model.
 */
export function withBatchNormSync<T>(sync: NonNullable<BatchNormState['sync']>, fn: () => T): T {
  const outer = activeSync;
  activeSync = sync;
  try {
    return fn();
  } finally {
    activeSync = outer;
  }
}

/**
 * `relu`: a ReLU applied to the output, folded in (execution-plan.ts folds
 * BatchNorm2d then ReLU; ResNets have ten such pairs): the same values and
 * gradients bit for bit as the two ops, with one pass over the data fewer
 * each way and no buffer for the batch norm's own output.
 */
export function batchNorm2d(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, training: boolean, relu = false): Tensor {
  expectRank('batchNorm2d', 'x', x, 4, 'N, C, H, W');
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (gamma.size !== c) throw new RangeError(`batchNorm2d: the layer has ${gamma.size} channels, x has ${c}`);
  const b = backend();
  const shape = { n, c, hw: h * w };
  // The passes over the data are backend kernels; the per-channel arithmetic is here.
  const mean = new Float32Array(c), invStd = new Float32Array(c);
  const sync = training ? state.sync ?? activeSync ?? undefined : undefined;
  let count = n * h * w;
  if (training) {
    const variance = new Float32Array(c);
    b.channelMoments(shape, x.data, mean, variance);
    if (sync !== undefined) count = syncMoments(sync, count, mean, variance);
    for (let ch = 0; ch < c; ch++) {
      const v = variance[ch]!;
      invStd[ch] = 1 / Math.sqrt(v + state.eps);
      state.runningMean[ch] = (1 - state.momentum) * state.runningMean[ch]! + state.momentum * mean[ch]!;
      state.runningVar[ch] = (1 - state.momentum) * state.runningVar[ch]! + state.momentum * v * (count / Math.max(1, count - 1));
    }
  } else {
    mean.set(state.runningMean);
    for (let ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(state.runningVar[ch]! + state.eps);
  }
  // y = gamma * (x - mean) * invStd + beta = scale * x + shift
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    scale[ch] = gamma.data[ch]! * invStd[ch]!;
    shift[ch] = beta.data[ch]! - mean[ch]! * scale[ch]!;
  }
  const y = outputBuffer(x.size);
  if (relu) b.channelAffineRelu(shape, x.data, scale, shift, y);
  else b.channelAffine(shape, x.data, scale, shift, y);
  // Backward, the ReLU's rule is read from y (y <= 0 exactly where its input was).
  const reluOutput = relu ? y : null;
  return result(relu ? 'batchNorm2d+relu' : 'batchNorm2d', y, x.shape, [x, gamma, beta], (dy) => {
    const dx = outputBuffer(x.size), dg = outputBuffer(c), db = outputBuffer(c);
    const sumDy = new Float32Array(c), sumDyXc = new Float32Array(c);
    b.channelGradSums(shape, dy, x.data, mean, sumDy, sumDyXc, reluOutput);
    // The parameters' gradients are this process's sums (data-parallel
    // training adds them up with the others'), so they are taken before the
    // sums are synchronised; the input's gradient needs the whole batch's.
    for (let ch = 0; ch < c; ch++) {
      dg[ch] = sumDyXc[ch]! * invStd[ch]!;
      db[ch] = sumDy[ch]!;
    }
    if (sync !== undefined) {
      const both = new Float64Array(2 * c);
      for (let ch = 0; ch < c; ch++) { both[ch] = sumDy[ch]!; both[c + ch] = sumDyXc[ch]!; }
      sync(both);
      for (let ch = 0; ch < c; ch++) { sumDy[ch] = both[ch]!; sumDyXc[ch] = both[c + ch]!; }
    }
    // xhat = (x - mean) * invStd. In training the statistics depend on x:
    // dx = g * is / count * (count * dy - sum(dy) - xhat * sum(dy * xhat))
    //    = a * dy + bx * x + d, per channel.
    const a = new Float32Array(c), bx = new Float32Array(c), d = new Float32Array(c);
    for (let ch = 0; ch < c; ch++) {
      const is = invStd[ch]!, g = gamma.data[ch]!;
      a[ch] = g * is;
      if (training) {
        bx[ch] = (-g * is * is * is * sumDyXc[ch]!) / count; // sum(dy * xhat) = is * sumDyXc, times xhat's is
        d[ch] = (-g * is * sumDy[ch]!) / count - bx[ch]! * mean[ch]!;
      }
    }
    b.channelCombine(shape, dy, x.data, a, bx, d, dx, reluOutput);
    return [dx, dg, db];
  });
}

/**
 * The whole batch's mean and (biased) variance from every process's, in
 * place (Chan et al.'s combination, in two sums so that no large squares
 * cancel): returns the whole batch's count.
 */
function syncMoments(sync: (values: Float64Array) => void, count: number, mean: Float32Array, variance: Float32Array): number {
  const c = mean.length;
  const first = new Float64Array(c + 1);
  for (let ch = 0; ch < c; ch++) first[ch] = count * mean[ch]!;
  first[c] = count;
  sync(first);
  const total = first[c]!;
  const second = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    const m = first[ch]! / total, dm = mean[ch]! - m;
    second[ch] = count * (variance[ch]! + dm * dm);
    mean[ch] = m;
  }
  sync(second);
  for (let ch = 0; ch < c; ch++) variance[ch] = second[ch]! / total;
  return total;
}
