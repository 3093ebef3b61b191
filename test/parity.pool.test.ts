// Adaptive average pooling against PyTorch 1.13 (values from
// scripts/pytorch-parity.py) on every backend: sizes that divide the input
// (a plain average pool on the backend's kernels, global pooling included)
// and sizes that do not (PyTorch's overlapping windows, floor/ceil bounds),
// forward and backward. And Dropout2d, whose masks are whole channels.
import { describe, expect, it } from 'vitest';
import { useBackend } from '../lib/backend';
import { adaptiveAvgPool2d, dropout2d } from '../lib/autograd/ops';
import { AdaptiveAvgPool2d, Dropout2d } from '../lib/nn/layers';
import { Rng } from '../lib/tensor/random';
import { Tensor } from '../lib/tensor/tensor';
import { BACKENDS, expectCloseRel } from './helpers';
import { f32, parity } from './parity.helpers';

interface Case { shape: number[]; size: [number, number]; x: number[]; y: number[]; g: number[]; dx: number[] }
const ref = parity<{ cases: Case[] }>('adaptive-pooling');

describe.each(BACKENDS)('adaptiveAvgPool2d against PyTorch ($name backend)', (b) => {
  for (const c of ref.cases) {
    it(`[${c.shape}] to ${c.size.join('x')}`, () => {
      useBackend(b.name);
      try {
        const x = new Tensor(f32(c.x), c.shape, { requiresGrad: true });
        const y = adaptiveAvgPool2d(x, c.size);
        expect(y.shape).toEqual([c.shape[0], c.shape[1], ...c.size]);
        expectCloseRel(y.data, f32(c.y), 1e-6, 'y');
        y.backward(new Tensor(f32(c.g), y.shape));
        expectCloseRel(x.grad!.data, f32(c.dx), 1e-6, 'dx');
      } finally {
        useBackend(BACKENDS[0]!.name);
      }
    });
  }
});

describe('AdaptiveAvgPool2d and Dropout2d layers', () => {
  it('AdaptiveAvgPool2d refuses sizes that are not whole numbers >= 1 or exceed the input', () => {
    expect(() => new AdaptiveAvgPool2d(0)).toThrow(/AdaptiveAvgPool2d: outputSize must be a positive integer, got 0/);
    expect(() => adaptiveAvgPool2d(new Tensor(new Float32Array(9), [1, 1, 3, 3]), [4, 2])).toThrow(/outputSize \[4, 2\] is larger than the input's 3x3/);
    expect(() => adaptiveAvgPool2d(new Tensor(new Float32Array(9), [1, 1, 3, 3]), 1.5)).toThrow(/outputSize must be whole numbers >= 1/);
  });

  it('Dropout2d zeroes whole channels with probability p, scales the rest by 1/(1-p), and passes gradients through the same mask', () => {
    const n = 40, c = 50, plane = 6;
    const x = new Tensor(new Float32Array(n * c * plane).fill(2), [n, c, 2, 3], { requiresGrad: true });
    const y = dropout2d(x, 0.25, true, ((r) => () => r.next())(new Rng(7)));
    let dropped = 0;
    for (let m = 0; m < n * c; m++) {
      const values = new Set(y.data.subarray(m * plane, (m + 1) * plane));
      expect(values.size, `channel ${m} is all kept or all dropped`).toBe(1);
      const v = [...values][0]!;
      expect(v === 0 || Math.abs(v - 2 / 0.75) < 1e-6, `channel ${m}: ${v} is 0 or 2 / (1 - p)`).toBe(true);
      if (v === 0) dropped++;
    }
    // 2000 channels at p = 0.25: 500 expected, standard deviation 19.4.
    expect(Math.abs(dropped - 500)).toBeLessThan(80);
    y.backward(new Tensor(new Float32Array(y.size).fill(1), y.shape));
    for (let i = 0; i < y.size; i++) expect(x.grad!.data[i]).toBeCloseTo(y.data[i]! / 2, 6);
    const layer = new Dropout2d(0.5).eval();
    expect(layer.forward(x)).toBe(x);
    expect(() => new Dropout2d(1)).toThrow(/Dropout2d: p must be in \[0, 1\), got 1/);
  });
});
