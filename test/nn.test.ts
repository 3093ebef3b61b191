// Modules, state dicts, specs, optimizers and schedulers.
import { describe, expect, it } from 'vitest';
import * as ops from '../lib/autograd/ops';
import { BatchNorm2d, Conv2d, Dropout, Linear, MaxPool2d, ReLU, Flatten } from '../lib/nn/layers';
import { BatchNormReLU } from '../lib/nn/execution-plan';
import { useBackend } from '../lib/backend';
import { Sequential } from '../lib/nn/sequential';
import { moduleFromSpec } from '../lib/nn/registry';
import { lenet, smallResNet } from '../lib/models';
import { Adam, AdamW } from '../lib/optim/adam';
import { SGD } from '../lib/optim/sgd';
import { CosineAnnealingLR, StepLR } from '../lib/optim/schedulers';
import { Rng, manualSeed } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import { Dataset } from '../lib/data/dataset';
import { predict } from '../lib/inference/predict';

describe('Sequential', () => {
  it('runs its layers in the order of its one documented rewrite: ReLU then MaxPool2d as pool then ReLU', () => {
    const m = lenet();
    const names = (order: readonly unknown[]) => order.map((l) => (l as object).constructor.name);
    expect(names(m.layers)).toEqual(['Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    expect(names(m.executionOrder)).toEqual(['Conv2d', 'MaxPool2d', 'ReLU', 'Conv2d', 'MaxPool2d', 'ReLU', 'Flatten', 'Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    // A subclass may behave differently: never swapped.
    class MyReLU extends ReLU {}
    expect(names(new Sequential(new MyReLU(), new MaxPool2d(2)).executionOrder)).toEqual(['MyReLU', 'MaxPool2d']);
    expect(names(new Sequential(new MaxPool2d(2), new ReLU()).executionOrder)).toEqual(['MaxPool2d', 'ReLU']);
  });

  it('pools before the ReLU with the same outputs and input gradients as ReLU then pool', () => {
    // Windows with a clear positive max, ties at 0 after the ReLU (all values
    // <= 0), exact ties among positives, a NaN, and padding with ceil mode.
    const values = [3, -1, 2, 2, -5, -2, 0, -3, 1, 1, 0.5, -0.5, NaN, 4, -1, 7, 0, 0, -2, 6, 2, -8, 9, 9, 0, -0, 5, 1, -4, 3];
    const shape = [1, 2, 3, 5];
    const dy = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => (i % 5) - 1.5);
    for (const config of [{}, { stride: 2, padding: 1, ceilMode: true }]) {
      const run = (fused: boolean) => {
        const x = new Tensor(Float32Array.from(values), shape, { requiresGrad: true });
        const y = fused ? new Sequential(new ReLU(), new MaxPool2d(2, config)).forward(x) : ops.maxPool2d(ops.relu(x), 2, config);
        ops.sum(ops.mul(y, new Tensor(dy.slice(0, y.size), y.shape))).backward();
        return { y: Array.from(y.data), dx: Array.from(x.grad!.data) };
      };
      const fused = run(true), plain = run(false);
      expect(fused.y).toEqual(plain.y);
      expect(fused.dx).toEqual(plain.dx);
      expect(fused.dx.some((v) => v !== 0)).toBe(true);
    }
  });
});

describe('BatchNorm2d then ReLU, folded', () => {
  it('runs as one step of the execution order, a subclass never', () => {
    const names = (order: readonly unknown[]) => order.map((l) => (l as object).constructor.name);
    const bn = new BatchNorm2d(2);
    const m = new Sequential(new Conv2d(1, 2, 3), bn, new ReLU(), new BatchNorm2d(2), new MaxPool2d(2), new ReLU());
    expect(names(m.executionOrder)).toEqual(['Conv2d', 'BatchNormReLU', 'BatchNorm2d', 'MaxPool2d', 'ReLU']);
    expect((m.executionOrder[1] as BatchNormReLU).batchNorm).toBe(bn);
    class MyBatchNorm extends BatchNorm2d {}
    expect(names(new Sequential(new MyBatchNorm(2), new ReLU()).executionOrder)).toEqual(['MyBatchNorm', 'ReLU']);
    // The model's parameters and spec are the layers', untouched by the rewrite.
    expect(m.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '3.weight', '3.bias']);
    expect(m.spec().children!.map((c) => c.type)).toEqual(['Conv2d', 'BatchNorm2d', 'ReLU', 'BatchNorm2d', 'MaxPool2d', 'ReLU']);
  });

  it('gives the values, gradients and running statistics of batch norm then ReLU, bit for bit, in training and evaluation', () => {
    const rng = new Rng(5);
    const x0 = Float32Array.from({ length: 3 * 2 * 4 * 5 }, () => rng.uniform(-2, 2));
    x0[3] = NaN; // relu(NaN) stays NaN and passes its gradient (the channel's statistics are NaN too)
    const dy = Float32Array.from(x0, (_, i) => (i % 7) - 3);
    for (const backend of ['native', 'js'] as const) {
      for (const training of [true, false]) {
        const run = (fused: boolean) => {
          useBackend(backend);
          const bn = new BatchNorm2d(2);
          bn.weight.data.set([1.5, -0.5]);
          bn.bias.data.set([0.25, 0.1]);
          bn.train(training);
          const x = new Tensor(x0.slice(), [3, 2, 4, 5], { requiresGrad: true });
          const y = fused ? new Sequential(bn, new ReLU()).forward(x) : ops.relu(bn.forward(x));
          ops.sum(ops.mul(y, new Tensor(dy, y.shape))).backward();
          return [y.data, x.grad!.data, bn.weight.grad!.data, bn.bias.grad!.data, bn.runningMean.data, bn.runningVar.data].map((a) => Array.from(a));
        };
        const fused = run(true), plain = run(false);
        expect(fused, `${backend} training=${String(training)}`).toEqual(plain);
        // Some outputs are cut to 0 and some gradients pass: the mask is exercised both ways.
        expect(fused[0]!.some((v) => v === 0) && fused[1]!.some((v) => v !== 0 && !Number.isNaN(v))).toBe(true);
      }
    }
    useBackend('native');
  });

  it('relu(a + b) as one op gives the two ops\' values and gradients, bit for bit', () => {
    const rng = new Rng(6);
    const a0 = Float32Array.from({ length: 40 }, () => rng.uniform(-1, 1)), b0 = Float32Array.from({ length: 40 }, () => rng.uniform(-1, 1));
    a0[0] = NaN;
    b0[1] = -a0[1]!; // a sum of exactly 0 takes no gradient
    const dy = Float32Array.from(a0, (_, i) => (i % 5) - 2);
    for (const backend of ['native', 'js'] as const) {
      const run = (fused: boolean) => {
        useBackend(backend);
        const a = new Tensor(a0.slice(), [40], { requiresGrad: true }), b = new Tensor(b0.slice(), [40], { requiresGrad: true });
        const y = fused ? ops.addRelu(a, b) : ops.relu(ops.add(a, b));
        ops.sum(ops.mul(y, new Tensor(dy, [40]))).backward();
        return [y.data, a.grad!.data, b.grad!.data].map((v) => Array.from(v));
      };
      expect(run(true), backend).toEqual(run(false));
      expect(run(true)[1]![1]).toBe(0);
    }
    useBackend('native');
  });
});

describe('Module', () => {
  it('names parameters like PyTorch and counts LeNet exactly', () => {
    const m = lenet();
    const names = m.namedParameters().map(([n]) => n);
    expect(names).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias', '11.weight', '11.bias']);
    const count = m.parameters().reduce((a, p) => a + p.size, 0);
    // 6*25+6 + 16*150+16 + 400*120+120 + 120*100+100 + 100*10+10
    expect(count).toBe(156 + 2416 + 48120 + 12100 + 1010);
  });

  it('is reproducible from the seed', () => {
    manualSeed(42);
    const a = lenet().parameters()[0]!.data.slice();
    manualSeed(42);
    const b = lenet().parameters()[0]!.data.slice();
    expect(a).toEqual(b);
    // PyTorch's default init: uniform within 1/sqrt(fan_in) = 1/5 for conv1.
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(0.2);
  });

  it('loadStateDict reports missing and unexpected keys, rejects shape mismatches and changes nothing then', () => {
    const m = new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1));
    const sd = Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, t.clone()]));
    delete sd['2.bias'];
    sd['extra'] = Tensor.zeros([1]);
    expect(() => m.loadStateDict(sd)).toThrow(/missing keys: 2\.bias; unexpected keys: extra/);
    expect(m.loadStateDict(sd, { strict: false })).toEqual({ missingKeys: ['2.bias'], unexpectedKeys: ['extra'] });
    const before = m.stateDict()['0.weight']!.data.slice();
    const bad = { ...m.stateDict(), '0.weight': Tensor.zeros([2, 4]), '0.bias': Tensor.full([2], 9) };
    expect(() => m.loadStateDict(bad)).toThrow("loadStateDict: '0.weight' has shape [2, 4] in the state but [2, 3] in the model");
    expect(m.stateDict()['0.weight']!.data).toEqual(before);
    expect(m.stateDict()['0.bias']!.data[0]).not.toBe(9);
  });

  it('rebuilds from its JSON spec and computes the same outputs with the same state', () => {
    const m = smallResNet();
    const spec = JSON.parse(JSON.stringify(m.spec()));
    const copy = moduleFromSpec(spec);
    copy.loadStateDict(m.stateDict());
    const x = new Tensor(Float32Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i)), [2, 1, 28, 28]);
    expect(predict(copy, x).data).toEqual(predict(m, x).data);
    expect(() => moduleFromSpec({ type: 'Conv3d' })).toThrow(/unknown layer type 'Conv3d'/);
  });

  it('train() and eval() reach every child: dropout is the identity in evaluation', () => {
    const m = new Sequential(new Dropout(0.5), new Flatten());
    const x = Tensor.full([4, 10], 1);
    m.eval();
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(x.data));
    m.train();
    const y = m.forward(x).data;
    expect(y.every((v) => v === 0 || v === 2)).toBe(true);
    expect(y.some((v) => v === 0)).toBe(true);
  });
});

describe('optimizers', () => {
  it('SGD with momentum follows the closed form on f(w) = w^2 / 2', () => {
    const w = Tensor.full([1], 1, { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    let v = 0, ref = 1;
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      ops.scale(ops.mul(w, w), 0.5).backward();
      opt.step();
      v = i === 0 ? ref : 0.9 * v + ref;
      ref -= 0.1 * v;
      expect(w.data[0]).toBeCloseTo(ref, 6);
    }
  });

  it('Adam moves each weight by about lr on its first step; AdamW also decays', () => {
    const w = Tensor.from([1, -2, 3], [3], { requiresGrad: true });
    const opt = new Adam([w], { lr: 0.01 });
    ops.sum(ops.mul(w, w)).backward();
    opt.step();
    expect(Array.from(w.data).map((v) => +v.toFixed(5))).toEqual([0.99, -1.99, 2.99]);
    const u = Tensor.from([1], [1], { requiresGrad: true });
    const opt2 = new AdamW([u], { lr: 0.1, weightDecay: 0.5 });
    u.grad = Tensor.zeros([1]);
    opt2.step();
    expect(u.data[0]).toBeCloseTo(1 - 0.1 * 0.5, 6);
  });

  it('parameter groups keep their own options; state dicts round-trip', () => {
    const a = Tensor.full([2], 1, { requiresGrad: true }), b = Tensor.full([2], 1, { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b], lr: 0.01 }], { lr: 1, momentum: 0.5 });
    a.grad = Tensor.full([2], 1);
    b.grad = Tensor.full([2], 1);
    opt.step();
    expect(a.data[0]).toBeCloseTo(0.9, 6);
    expect(b.data[0]).toBeCloseTo(0.99, 6);
    const sd = opt.stateDict();
    const opt2 = new SGD([{ params: [a], lr: 5 }, { params: [b], lr: 5 }], { lr: 1, momentum: 0.5 });
    opt2.loadStateDict(sd);
    opt.step();
    opt2.step(); // both take the same second step from the same state...
    expect(opt2.paramGroups[1]!.options.lr).toBe(0.01);
    expect(opt2.stateDict().buffers['0.momentum']).toEqual(opt.stateDict().buffers['0.momentum']);
    expect(() => new Adam([a]).loadStateDict(sd)).toThrow(/state is for SGD/);
  });

  it('StepLR and CosineAnnealingLR give the closed-form rates', () => {
    const w = Tensor.full([1], 1, { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    const step = new StepLR(opt, 2, 0.5);
    const seen = [];
    for (let e = 0; e < 5; e++) { seen.push(opt.paramGroups[0]!.options.lr); step.step(); }
    expect(seen.map((v) => +v.toFixed(6))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    const opt2 = new SGD([w], { lr: 1 });
    const cos = new CosineAnnealingLR(opt2, 4);
    expect([0, 1, 2, 3, 4].map((e) => +cos.lrAt(1, e).toFixed(6))).toEqual([1, 0.853553, 0.5, 0.146447, 0]);
  });
});

describe('op options, checked against the kernel contract before anything is allocated', () => {
  it('a stride, window or groups of 0 and an empty batch say which option is wrong; Dataset.take takes whole numbers', () => {
    const x = Tensor.zeros([1, 2, 6, 6]), w = Tensor.zeros([4, 2, 3, 3]);
    expect(() => ops.conv2d(x, w, null, { stride: 0 })).toThrow(new RangeError('conv2d: shape.strideH must be an integer in [1, 2147483647], got 0'));
    expect(() => ops.conv2d(x, Tensor.zeros([4, 0, 3, 3]), null, { groups: 0 })).toThrow(new RangeError('conv2d: shape.c must be an integer in [1, 2147483647], got 0'));
    expect(() => ops.conv2d(x, w, null, { groups: 0 } as never)).toThrow(/^conv2d: shape\.(c|groups) must be an integer in \[1, 2147483647\], got 0$/);
    expect(() => ops.conv2d(Tensor.zeros([0, 2, 6, 6]), w, null)).toThrow(new RangeError('conv2d: shape.n must be an integer in [1, 2147483647], got 0'));
    expect(() => new MaxPool2d(0).forward(x)).toThrow(new RangeError('maxPool2d: shape.kh must be an integer in [1, 2147483647], got 0'));
    expect(() => ops.maxPool2d(x, 2, { stride: 0 })).toThrow(new RangeError('maxPool2d: shape.strideH must be an integer in [1, 2147483647], got 0'));
    const data = new Dataset(new Float32Array(3), new Int32Array(3), [1, 1, 1], 2);
    expect(() => data.take(-1)).toThrow('Dataset.take: n must be a whole number >= 0, got -1');
    expect(data.take(2).length).toBe(2);
  });
});

describe('layer arguments', () => {
  it('reject bad configurations with clear errors', () => {
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: inChannels (3) and outChannels (4) must be divisible by groups (2)');
    expect(() => new Linear(0, 3)).toThrow('Linear: inFeatures must be a positive integer, got 0');
    expect(() => new Dropout(1)).toThrow(/p must be in \[0, 1\)/);
    const conv = new Conv2d(3, 4, 3, { rng: new Rng(1) });
    expect(() => conv.forward(Tensor.zeros([1, 2, 8, 8]))).toThrow('conv2d: weight expects 3 input channels (3 per group x 1 groups), x has 2');
    expect(() => conv.forward(Tensor.zeros([2, 8, 8]))).toThrow('conv2d: x must have 4 dimensions (N, C, H, W), got shape [2, 8, 8]');
    expect(() => new Linear(4, 2).forward(Tensor.zeros([3, 5]))).toThrow('linear: weight expects 4 input features, x has 5');
  });
});
