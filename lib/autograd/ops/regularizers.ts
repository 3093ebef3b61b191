// Image priors for synthesising inputs: squared total variation (Mahendran &
// Vedaldi's smoothness term), mean over the image.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

/** mean over pixels of (x[i+1,j] - x[i,j])^2 + (x[i,j+1] - x[i,j])^2, for x [N, C, H, W]. */
export function totalVariation(x: Tensor): Tensor {
  expectRank('totalVariation', 'x', x, 4, 'N, C, H, W');
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const d = x.data, count = n * c * h * w;
  let sum = 0;
  for (let p = 0; p < n * c; p++) {
    const o = p * h * w;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const v = d[o + i * w + j]!;
        if (i + 1 < h) sum += (d[o + (i + 1) * w + j]! - v) ** 2;
        if (j + 1 < w) sum += (d[o + i * w + j + 1]! - v) ** 2;
      }
    }
  }
  return result('totalVariation', new Float32Array([sum / count]), [], [x], (dy) => {
    const g = outputBuffer(x.size).fill(0), k = (2 * dy[0]!) / count;
    for (let p = 0; p < n * c; p++) {
      const o = p * h * w;
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          const v = d[o + i * w + j]!;
          if (i + 1 < h) { const e = d[o + (i + 1) * w + j]! - v; g[o + (i + 1) * w + j]! += k * e; g[o + i * w + j]! -= k * e; }
          if (j + 1 < w) { const e = d[o + i * w + j + 1]! - v; g[o + i * w + j + 1]! += k * e; g[o + i * w + j]! -= k * e; }
        }
      }
    }
    return [g];
  });
}
