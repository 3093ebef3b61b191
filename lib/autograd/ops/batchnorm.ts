// Batch normalisation over N, H, W per channel (NCHW), PyTorch semantics:
// batch statistics in training (biased variance to normalise, unbiased to
// update the running estimate), running statistics in evaluation.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

export interface BatchNormState {
  runningMean: Float32Array;
  runningVar: Float32Array;
  momentum: number;
  eps: number;
}

export function batchNorm2d(x: Tensor, gamma: Tensor, beta: Tensor, state: BatchNormState, training: boolean): Tensor {
  expectRank('batchNorm2d', 'x', x, 4, 'N, C, H, W');
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (gamma.size !== c) throw new RangeError(`batchNorm2d: the layer has ${gamma.size} channels, x has ${c}`);
  const hw = h * w, count = n * hw;
  const mean = new Float64Array(c), invStd = new Float64Array(c);
  for (let ch = 0; ch < c; ch++) {
    if (training) {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) {
        const off = (i * c + ch) * hw;
        for (let j = 0; j < hw; j++) { const v = x.data[off + j]!; s += v; s2 += v * v; }
      }
      const m = s / count;
      const v = Math.max(0, s2 / count - m * m);
      mean[ch] = m;
      invStd[ch] = 1 / Math.sqrt(v + state.eps);
      state.runningMean[ch] = (1 - state.momentum) * state.runningMean[ch]! + state.momentum * m;
      state.runningVar[ch] = (1 - state.momentum) * state.runningVar[ch]! + state.momentum * v * (count / Math.max(1, count - 1));
    } else {
      mean[ch] = state.runningMean[ch]!;
      invStd[ch] = 1 / Math.sqrt(state.runningVar[ch]! + state.eps);
    }
  }
  const xhat = outputBuffer(x.size), y = outputBuffer(x.size);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const off = (i * c + ch) * hw, g = gamma.data[ch]!, bt = beta.data[ch]!, m = mean[ch]!, is = invStd[ch]!;
      for (let j = 0; j < hw; j++) {
        const v = (x.data[off + j]! - m) * is;
        xhat[off + j] = v;
        y[off + j] = g * v + bt;
      }
    }
  }
  return result('batchNorm2d', y, x.shape, [x, gamma, beta], (dy) => {
    const dx = outputBuffer(x.size), dg = outputBuffer(c), db = outputBuffer(c);
    for (let ch = 0; ch < c; ch++) {
      let sdy = 0, sdyx = 0;
      for (let i = 0; i < n; i++) {
        const off = (i * c + ch) * hw;
        for (let j = 0; j < hw; j++) { sdy += dy[off + j]!; sdyx += dy[off + j]! * xhat[off + j]!; }
      }
      dg[ch] = sdyx;
      db[ch] = sdy;
      const g = gamma.data[ch]!, is = invStd[ch]!;
      for (let i = 0; i < n; i++) {
        const off = (i * c + ch) * hw;
        for (let j = 0; j < hw; j++) {
          dx[off + j] = training
            ? (g * is / count) * (count * dy[off + j]! - sdy - xhat[off + j]! * sdyx)
            : g * is * dy[off + j]!;
        }
      }
    }
    return [dx, dg, db];
  });
}
