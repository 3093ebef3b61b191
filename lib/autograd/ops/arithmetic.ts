// Elementwise arithmetic on same-shaped tensors, and reductions to a scalar.
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { result } from '../result';

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
}

export function add(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a, b);
  const y = outputBuffer(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! + b.data[i]!;
  return result('add', y, a.shape, [a, b], (dy) => [dy, dy]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape('sub', a, b);
  const y = outputBuffer(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! - b.data[i]!;
  return result('sub', y, a.shape, [a, b], (dy) => [dy, dy.map((v) => -v)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const y = outputBuffer(a.size);
  for (let i = 0; i < y.length; i++) y[i] = a.data[i]! * b.data[i]!;
  return result('mul', y, a.shape, [a, b], (dy) => [dy.map((g, i) => g * b.data[i]!), dy.map((g, i) => g * a.data[i]!)]);
}

export function scale(a: Tensor, k: number): Tensor {
  const y = a.data.map((v) => v * k);
  return result('scale', y, a.shape, [a], (dy) => [dy.map((g) => g * k)]);
}

export function sum(a: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]!;
  return result('sum', new Float32Array([s]), [], [a], (dy) => [outputBuffer(a.size).fill(dy[0]!)]);
}

export function mean(a: Tensor): Tensor {
  return scale(sum(a), 1 / a.size);
}
