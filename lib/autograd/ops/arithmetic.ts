// Elementwise arithmetic on same-shaped tensors, and reductions to a scalar.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { result } from '../result';

/** out[i] = f(i) in an output buffer of n elements (from the running step's pool). */
function build(n: number, f: (i: number) => number): Float32Array {
  const out = outputBuffer(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

function sameShape(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${op}: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] differ`);
  }
}

export function add(a: Tensor, b: Tensor): Tensor {
  sameShape('add', a, b);
  // A kernel, not a loop here: the residual sums of a ResNet step are large
  // (as JavaScript they took 8% of a ResNet-20 step at 2 threads).
  const y = outputBuffer(a.size);
  backend().add(a.data, b.data, y);
  return result('add', y, a.shape, [a, b], (dy) => [dy, dy]);
}

/**
 * relu(a + b) in one kernel each way (a residual block's output): the same
 * values and gradients as the two ops, without the sum's own buffer and
 * its extra pass over the data.
 */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  sameShape('addRelu', a, b);
  const be = backend();
  const y = outputBuffer(a.size);
  be.addRelu(a.data, b.data, y);
  return result('addRelu', y, a.shape, [a, b], (dy) => {
    // ReLU's backward rule, read from y: y <= 0 exactly where the sum was.
    const dx = outputBuffer(a.size);
    be.activationBackward({ kind: 'relu' }, y, y, dy, dx);
    return [dx, dx];
  });
}

export function sub(a: Tensor, b: Tensor): Tensor {
  sameShape('sub', a, b);
  const ad = a.data, bd = b.data;
  const y = build(a.size, (i) => ad[i]! - bd[i]!);
  return result('sub', y, a.shape, [a, b], (dy) => [dy, build(dy.length, (i) => -dy[i]!)]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  sameShape('mul', a, b);
  const ad = a.data, bd = b.data;
  const y = build(a.size, (i) => ad[i]! * bd[i]!);
  return result('mul', y, a.shape, [a, b], (dy) => [build(dy.length, (i) => dy[i]! * bd[i]!), build(dy.length, (i) => dy[i]! * ad[i]!)]);
}

export function scale(a: Tensor, k: number): Tensor {
  const ad = a.data;
  const y = build(a.size, (i) => ad[i]! * k);
  return result('scale', y, a.shape, [a], (dy) => [build(dy.length, (i) => dy[i]! * k)]);
}

export function sum(a: Tensor): Tensor {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]!;
  return result('sum', new Float32Array([s]), [], [a], (dy) => [outputBuffer(a.size).fill(dy[0]!)]);
}

export function mean(a: Tensor): Tensor {
  return scale(sum(a), 1 / a.size);
}
