// Dense layers as GEMM: linear(x, W, b) = x W^T + b, and plain matmul.
import { backend } from '../../backend';
import { Tensor } from '../../tensor/tensor';
import { outputBuffer } from '../../tensor/buffer-pool';
import { expectRank, result } from '../result';

/** x [N, in], weight [out, in], bias [out] -> [N, out] (PyTorch's layout). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  expectRank('linear', 'x', x, 2, 'N, features');
  expectRank('linear', 'weight', weight, 2, 'out, in');
  const [n, inF] = x.shape as [number, number];
  const [outF, wIn] = weight.shape as [number, number];
  if (wIn !== inF) throw new RangeError(`linear: weight expects ${wIn} input features, x has ${inF}`);
  if (bias !== null && (bias.ndim !== 1 || bias.size !== outF)) {
    throw new RangeError(`linear: bias must have shape [${outF}], got [${bias.shape.join(', ')}]`);
  }
  const b = backend();
  const y = outputBuffer(n * outF);
  b.gemm({ m: n, n: outF, k: inF, transB: true }, x.data, weight.data, y);
  if (bias !== null) b.biasAdd({ n, c: outF }, y, bias.data, y);
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return result('linear', y, [n, outF], inputs, (dy) => {
    let dx: Float32Array | null = null, dw: Float32Array | null = null, db: Float32Array | null = null;
    if (x.requiresGrad) {
      dx = outputBuffer(n * inF);
      b.gemm({ m: n, n: inF, k: outF }, dy, weight.data, dx); // dy W
    }
    if (weight.requiresGrad) {
      dw = outputBuffer(outF * inF);
      b.gemm({ m: outF, n: inF, k: n, transA: true }, dy, x.data, dw); // dy^T x
    }
    if (bias?.requiresGrad) {
      db = outputBuffer(outF);
      b.biasGrad({ n, c: outF }, dy, db);
    }
    return [dx, dw, db];
  });
}

/** a [m, k] x b [k, n] -> [m, n]. */
export function matmul(a: Tensor, bm: Tensor): Tensor {
  expectRank('matmul', 'a', a, 2, 'm, k');
  expectRank('matmul', 'b', bm, 2, 'k, n');
  const [m, k] = a.shape as [number, number];
  const [k2, n] = bm.shape as [number, number];
  if (k !== k2) throw new RangeError(`matmul: a is [${m}, ${k}] but b is [${k2}, ${n}]: inner sizes differ`);
  const b = backend();
  const y = outputBuffer(m * n);
  b.gemm({ m, n, k }, a.data, bm.data, y);
  return result('matmul', y, [m, n], [a, bm], (dy) => {
    let da: Float32Array | null = null, db: Float32Array | null = null;
    if (a.requiresGrad) {
      da = outputBuffer(m * k);
      b.gemm({ m, n: k, k: n, transB: true }, dy, bm.data, da);
    }
    if (bm.requiresGrad) {
      db = outputBuffer(k * n);
      b.gemm({ m: k, n, k: m, transA: true }, a.data, dy, db);
    }
    return [da, db];
  });
}
