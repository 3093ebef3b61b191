// Pointwise activations and PReLU.
import { backend } from '../../backend';
import type { ActivationOptions } from '../../backend/types';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

export function activation(x: Tensor, options: ActivationOptions): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${options.kind}: x must be a Tensor`);
  const b = backend();
  const y = outputBuffer(x.size);
  b.activationForward(options, x.data, y);
  return result(options.kind, y, x.shape, [x], (dy) => {
    const dx = outputBuffer(x.size);
    b.activationBackward(options, x.data, y, dy, dx);
    return [dx];
  });
}

export const relu = (x: Tensor) => activation(x, { kind: 'relu' });
export const leakyRelu = (x: Tensor, slope = 0.01) => activation(x, { kind: 'leakyRelu', alpha: slope });
export const tanh = (x: Tensor) => activation(x, { kind: 'tanh' });
export const sigmoid = (x: Tensor) => activation(x, { kind: 'sigmoid' });
export const hardtanh = (x: Tensor, min = -1, max = 1) => activation(x, { kind: 'hardtanh', min, max });

/** x [N, C, ...], slope [C] or [1]. */
export function prelu(x: Tensor, slope: Tensor): Tensor {
  if (x.ndim < 2) expectRank('prelu', 'x', x, 2, 'N, C, ...');
  const [n, c] = x.shape as [number, number];
  const hw = x.size / (n * c);
  const b = backend();
  const s = { n, c, hw };
  const y = outputBuffer(x.size);
  b.preluForward(s, x.data, slope.data, y);
  return result('prelu', y, x.shape, [x, slope], (dy) => {
    const dx = outputBuffer(x.size), ds = outputBuffer(slope.size);
    b.preluBackward(s, x.data, slope.data, dy, dx, ds);
    return [dx, ds];
  });
}
