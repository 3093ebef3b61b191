// Batch normalisation's passes over [n, c, hw] data in TypeScript (the
// native ones are native/kernels/eltwise/batch_norm.cc). Sums in float64.
import type { ResolvedChannels } from '../geometry';

/** mean[c] and the biased variance var[c] over n and hw. */
export function channelMoments(s: ResolvedChannels, x: Float32Array, mean: Float32Array, variance: Float32Array): void {
  const count = s.n * s.hw;
  for (let ch = 0; ch < s.c; ch++) {
    let sum = 0, sq = 0;
    for (let i = 0; i < s.n; i++) {
      const off = (i * s.c + ch) * s.hw;
      for (let j = 0; j < s.hw; j++) {
        const v = x[off + j]!;
        sum += v;
        sq += v * v;
      }
    }
    const m = sum / count;
    mean[ch] = m;
    variance[ch] = Math.max(0, sq / count - m * m);
  }
}

/**
 * sumDy[c] = sum of dy, sumDyXc[c] = sum of dy * (x - mean[c]), over n and hw; with reluOutput, dy
 * counts as 0 where reluOutput <= 0 (ReLU's backward rule, folded in).
 */
export function channelGradSums(s: ResolvedChannels, dy: Float32Array, x: Float32Array, mean: Float32Array, sumDy: Float32Array, sumDyXc: Float32Array, reluOutput: Float32Array | null = null): void {
  for (let ch = 0; ch < s.c; ch++) {
    let sd = 0, sdx = 0;
    const m = mean[ch]!;
    for (let i = 0; i < s.n; i++) {
      const off = (i * s.c + ch) * s.hw;
      for (let j = 0; j < s.hw; j++) {
        const g = reluOutput !== null && reluOutput[off + j]! <= 0 ? 0 : dy[off + j]!;
        sd += g;
        sdx += g * (x[off + j]! - m);
      }
    }
    sumDy[ch] = sd;
    sumDyXc[ch] = sdx;
  }
}

/** y = scale[c] * x + shift[c], then with relu ReLU's rule (0 where <= 0, NaN stays NaN). */
function affine(s: ResolvedChannels, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array, relu: boolean): void {
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw, a = scale[ch]!, b = shift[ch]!;
      if (relu) {
        for (let j = 0; j < s.hw; j++) { const v = Math.fround(a * x[off + j]! + b); y[off + j] = v <= 0 ? 0 : v; }
      } else {
        for (let j = 0; j < s.hw; j++) y[off + j] = a * x[off + j]! + b;
      }
    }
  }
}

export const channelAffine = (s: ResolvedChannels, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void => affine(s, x, scale, shift, y, false);
export const channelAffineRelu = (s: ResolvedChannels, x: Float32Array, scale: Float32Array, shift: Float32Array, y: Float32Array): void => affine(s, x, scale, shift, y, true);

/** dx = a[c] * dy + b[c] * x + d[c]; with reluOutput, dy counts as 0 where reluOutput <= 0. */
export function channelCombine(s: ResolvedChannels, dy: Float32Array, x: Float32Array, a: Float32Array, b: Float32Array, d: Float32Array, dx: Float32Array, reluOutput: Float32Array | null = null): void {
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw, ac = a[ch]!, bc = b[ch]!, dc = d[ch]!;
      if (reluOutput !== null) {
        for (let j = 0; j < s.hw; j++) dx[off + j] = ac * (reluOutput[off + j]! <= 0 ? 0 : dy[off + j]!) + bc * x[off + j]! + dc;
      } else {
        for (let j = 0; j < s.hw; j++) dx[off + j] = ac * dy[off + j]! + bc * x[off + j]! + dc;
      }
    }
  }
}
