// Softmax and log-softmax over the last dimension of a [rows, cols] tensor.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

function rowwise(name: 'softmax' | 'logSoftmax', x: Tensor): Tensor {
  expectRank(name, 'x', x, 2, 'rows, classes');
  const [rows, cols] = x.shape as [number, number];
  const b = backend();
  const y = outputBuffer(x.size);
  b[name === 'softmax' ? 'softmaxForward' : 'logSoftmaxForward']({ rows, cols }, x.data, y);
  return result(name, y, x.shape, [x], (dy) => {
    const dx = outputBuffer(x.size);
    b[name === 'softmax' ? 'softmaxBackward' : 'logSoftmaxBackward']({ rows, cols }, y, dy, dx);
    return [dx];
  });
}

export const softmax = (x: Tensor) => rowwise('softmax', x);
export const logSoftmax = (x: Tensor) => rowwise('logSoftmax', x);
