// Channel dropout (torch.nn.Dropout2d): in training, zero whole channels
// (each of the N x C feature maps) with probability p and scale the rest by
// 1/(1-p); the identity in evaluation. Neighbouring pixels of a feature map
// are strongly correlated, so dropping single pixels regularises little.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

export function dropout2d(x: Tensor, p: number, training: boolean, random: () => number): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout2d: p must be in [0, 1), got ${p}`);
  expectRank('dropout2d', 'x', x, 4, 'N, C, H, W');
  if (!training || p === 0) return x;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const keep = 1 / (1 - p), plane = h * w;
  const scales = new Float32Array(n * c);
  for (let i = 0; i < scales.length; i++) scales[i] = random() >= p ? keep : 0;
  const times = (v: Float32Array) => {
    const out = outputBuffer(v.length);
    for (let m = 0; m < scales.length; m++) {
      const k = scales[m]!;
      for (let j = m * plane; j < (m + 1) * plane; j++) out[j] = v[j]! * k;
    }
    return out;
  };
  return result('dropout2d', times(x.data), x.shape, [x], (dy) => [times(dy)]);
}
