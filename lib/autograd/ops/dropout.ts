// Inverted dropout: in training, zero each element with probability p and
// scale the rest by 1/(1-p); the identity in evaluation.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { result } from '../result';

export function dropout(x: Tensor, p: number, training: boolean, random: () => number): Tensor {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 / (1 - p);
  const mask = outputBuffer(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = random() >= p ? keep : 0;
  const y = timesMask(x.data, mask);
  return result('dropout', y, x.shape, [x], (dy) => [timesMask(dy, mask)]);
}

function timesMask(v: Float32Array, mask: Float32Array): Float32Array {
  const out = outputBuffer(v.length);
  for (let i = 0; i < out.length; i++) out[i] = v[i]! * mask[i]!;
  return out;
}
