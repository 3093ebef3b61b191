// Autograd through whole models against finite differences of the loss, on
// both backends: conv, pooling, activations, dense layers, a residual block
// with batch norm, and the gradient bookkeeping (accumulation, no-grad).
import { describe, expect, it } from 'vitest';
import { useBackend } from '../lib/backend';
import * as ops from '../lib/autograd/ops';
import { noGrad } from '../lib/autograd/grad-mode';
import { AvgPool2d, BatchNorm2d, Conv2d, Flatten, HardTanh, LeakyReLU, Linear, MaxPool2d, PReLU, ReLU, Sigmoid, Tanh } from '../lib/nn/layers';
import { Sequential } from '../lib/nn/sequential';
import type { Module } from '../lib/nn/module';
import { ResidualBlock } from '../lib/nn/residual';
import { Rng } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';

function randomTensor(shape: number[], rng: Rng, scale = 1): Tensor {
  const t = Tensor.zeros(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = scale * rng.uniform(-1, 1);
  return t;
}

/**
 * Compares d(loss)/d(every parameter and the input) with central differences
 * at sampled coordinates. Where the loss has a kink inside the stencil (a
 * ReLU or PReLU switching, a max-pool winner changing), the left and right
 * one-sided differences disagree and the coordinate is skipped; at most a
 * tenth may be.
 */
function checkModel(name: string, model: Module, x: Tensor, labels: Int32Array, samples = 12): number {
  const loss = () => noGrad(() => ops.crossEntropy(model.forward(x), labels).item());
  x.requiresGrad = true;
  model.zeroGrad();
  x.grad = null;
  ops.crossEntropy(model.forward(x), labels).backward();
  const rng = new Rng(5);
  let checked = 0, skipped = 0;
  for (const [pname, p] of [...model.namedParameters(), ['input', x] as [string, Tensor]]) {
    expect(p.grad, `${name}: ${pname} has a gradient`).not.toBeNull();
    for (let s = 0; s < Math.min(samples, p.size); s++) {
      const i = Math.floor(rng.next() * p.size);
      const h = 1e-3;
      const orig = p.data[i]!;
      const mid = loss();
      p.data[i] = orig + h;
      const up = loss();
      const hUp = p.data[i]! - orig;
      p.data[i] = orig - h;
      const down = loss();
      const hDown = orig - p.data[i]!;
      p.data[i] = orig;
      const right = (up - mid) / hUp, left = (mid - down) / hDown;
      const tol = (v: number) => 2e-3 + 3e-2 * Math.abs(v);
      if (Math.abs(right - left) > 2 * tol(right)) {
        skipped++;
        continue;
      }
      const fd = (up - down) / (hUp + hDown);
      const g = p.grad!.data[i]!;
      if (!(Math.abs(g - fd) <= tol(fd))) expect.fail(`${name}: d loss / d ${pname}[${i}] analytic ${g} vs finite difference ${fd}`);
      checked++;
    }
  }
  expect(skipped, `${name}: coordinates skipped at kinks`).toBeLessThanOrEqual((checked + skipped) / 10);
  return checked;
}

describe.each(['native', 'js'] as const)('autograd through whole models (%s backend)', (name) => {
  it('a LeNet-shaped CNN with every activation', () => {
    useBackend(name);
    const rng = new Rng(1);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1, rng }), new LeakyReLU(0.1), new MaxPool2d(2),
      new Conv2d(4, 5, 3, { stride: 1, rng }), new Tanh(), new AvgPool2d(2, { ceilMode: true }),
      new Flatten(), new Linear(5 * 2 * 2, 7, { rng }), new PReLU(1), new Linear(7, 6, { rng }), new Sigmoid(),
      new Linear(6, 4, { rng }), new HardTanh(-2, 2),
    );
    const n = checkModel('cnn', model, randomTensor([3, 2, 10, 10], rng), new Int32Array([0, 3, 1]));
    expect(n).toBeGreaterThan(90);
  });

  it('a stem with an overlapping max pool (3x3, stride 2, padding 1: the winners are kept)', () => {
    useBackend(name);
    const rng = new Rng(4);
    const model = new Sequential(
      new Conv2d(2, 4, 3, { padding: 1, rng }), new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1 }),
      new Flatten(), new Linear(4 * 5 * 5, 3, { rng }),
    );
    const n = checkModel('stem', model, randomTensor([3, 2, 9, 10], rng), new Int32Array([0, 2, 1]));
    expect(n).toBeGreaterThan(40);
  });

  it('overlapping max pooling routes dy by the winners of the forward pass, not of x as it is later', () => {
    useBackend(name);
    const values = randomTensor([2, 3, 9, 9], new Rng(6)).data;
    const poolThenBackward = (changeXAfterForward: boolean) => {
      const x = new Tensor(values.slice(), [2, 3, 9, 9], { requiresGrad: true });
      const y = ops.maxPool2d(x, 3, { stride: 2, padding: 1 });
      if (changeXAfterForward) x.data.reverse();
      ops.sum(ops.mul(y, new Tensor(Float32Array.from({ length: y.size }, (_, i) => i + 1), y.shape))).backward();
      return Array.from(x.grad!.data);
    };
    expect(poolThenBackward(true)).toEqual(poolThenBackward(false));
  });

  it('a residual network with batch norm (training mode)', () => {
    useBackend(name);
    const rng = new Rng(2);
    const model = new Sequential(new Conv2d(1, 3, 3, { padding: 1, rng }), new ReLU(), new ResidualBlock(3, 4, 2), new Flatten(), new Linear(4 * 3 * 3, 3, { rng }));
    checkModel('resnet', model, randomTensor([4, 1, 6, 6], rng), new Int32Array([0, 1, 2, 1]), 8);
  });

  it('gradients accumulate over backward calls and no-grad records nothing', () => {
    useBackend(name);
    const rng = new Rng(3);
    const lin = new Linear(3, 2, { rng });
    const x = randomTensor([2, 3], rng);
    ops.sum(lin.forward(x)).backward();
    const once = lin.weight.grad!.data.slice();
    ops.sum(lin.forward(x)).backward();
    expect(Array.from(lin.weight.grad!.data)).toEqual(Array.from(once, (v) => 2 * v));
    // d sum(x W^T + b) / dW[j][i] = sum over rows of x[:, i]
    expect(once[0]).toBeCloseTo(x.data[0]! + x.data[3]!, 5);
    const y = noGrad(() => lin.forward(x));
    expect(y.gradFn).toBeNull();
    expect(() => y.backward(Tensor.full(y.shape, 1))).toThrow(/does not require a gradient/);
  });
});

describe('the backward pass', () => {
  it('keeps a gradient buffer an op hands to two inputs intact when one of them takes more gradient', () => {
    // w = (a + b) + a with a = 1 * p, b = 1 * q: add hands its dy to both inputs, and a then adds the
    // outer add's gradient into its own. dp = 2, dq = 1 (q read 2 while the buffer was summed in place).
    const p = new Tensor(new Float32Array([1, 2]), [2], { requiresGrad: true }), q = new Tensor(new Float32Array([3, 4]), [2], { requiresGrad: true });
    const a = ops.scale(p, 1), b = ops.scale(q, 1);
    ops.add(ops.add(a, b), a).backward(Tensor.full([2], 1));
    expect(Array.from(p.grad!.data)).toEqual([2, 2]);
    expect(Array.from(q.grad!.data)).toEqual([1, 1]);
    // The same through relu(a + b) as one op, and an input read twice by it.
    const r = new Tensor(new Float32Array([1, -2]), [2], { requiresGrad: true }), s = new Tensor(new Float32Array([3, 4]), [2], { requiresGrad: true });
    const ar = ops.scale(r, 1), bs = ops.scale(s, 1);
    ops.add(ops.addRelu(ar, bs), ar).backward(Tensor.full([2], 1));
    expect(Array.from(r.grad!.data)).toEqual([2, 2]);
    expect(Array.from(s.grad!.data)).toEqual([1, 1]);
    const t = new Tensor(new Float32Array([1, -2]), [2], { requiresGrad: true });
    ops.addRelu(t, t).backward(Tensor.full([2], 1));
    expect(Array.from(t.grad!.data)).toEqual([2, 0]);
  });
});

describe('batch norm', () => {
  it('normalises with batch statistics in training and running statistics in evaluation', () => {
    const bn = new BatchNorm2d(2);
    const x = new Tensor(Float32Array.from({ length: 16 }, (_, i) => i), [2, 2, 2, 2]);
    const y = bn.forward(x);
    // Channel 0 holds 0,1,2,3,8,9,10,11: mean 5.5, biased variance 138 / 8 = 17.25.
    expect(y.data[0]).toBeCloseTo((0 - 5.5) / Math.sqrt(17.25 + 1e-5), 5);
    expect(bn.runningMean.data[0]).toBeCloseTo(0.55, 6);
    expect(bn.runningVar.data[0]).toBeCloseTo(0.9 + 0.1 * 17.25 * (8 / 7), 5);
    bn.eval();
    const z = bn.forward(x);
    expect(z.data[0]).toBeCloseTo((0 - 0.55) / Math.sqrt(bn.runningVar.data[0]! + 1e-5), 5);
  });
});
