// Every backward kernel against central finite differences of its forward,
// on both backends. The scalar probed is L = sum(r * y) for a fixed random
// r, so the backward is run with dy = r. Inputs stay away from kinks (relu
// at 0, hardtanh at its bounds, max-pool ties) where the derivative jumps.
import { describe, expect, it } from 'vitest';
import type { Backend, Conv2dShape, Pool2dShape, ActivationKind } from '../lib/backend/types';
import { conv2dOutputSize, pool2dOutputSize } from '../lib/backend/geometry';
import { BACKENDS, randInt, randomArray, rng } from './helpers';

const H = 1e-2;

type Inputs = Record<string, Float32Array>;

/**
 * forward(inputs) -> outputs (array) or a scalar; backward(inputs, r) -> gradients by input name.
 * Checks every coordinate of every named input.
 */
function gradCheck(
  what: string,
  inputs: Inputs,
  forward: (x: Inputs) => Float32Array | number,
  backward: (x: Inputs, r: Float32Array) => Inputs,
  seed: number,
): number {
  const out0 = forward(inputs);
  const r = typeof out0 === 'number' ? new Float32Array([1]) : randomArray(rng(seed), out0.length);
  const loss = (x: Inputs) => {
    const y = forward(x);
    if (typeof y === 'number') return y;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += r[i]! * y[i]!;
    return s;
  };
  const grads = backward(inputs, r);
  let checked = 0;
  for (const name of Object.keys(grads)) {
    const x = inputs[name]!;
    const g = grads[name]!;
    expect(g.length, `${what}: d${name} length`).toBe(x.length);
    for (let i = 0; i < x.length; i++) {
      const orig = x[i]!;
      x[i] = orig + H;
      const up = loss(inputs);
      x[i] = orig - H;
      const down = loss(inputs);
      x[i] = orig;
      // The perturbation actually applied, after rounding to float32.
      const step = Math.fround(orig + H) - Math.fround(orig - H);
      const fd = (up - down) / step;
      const tol = 3e-3 + 1e-2 * Math.abs(fd);
      if (!(Math.abs(g[i]! - fd) <= tol)) expect.fail(`${what}: d${name}[${i}] analytic ${g[i]} vs finite difference ${fd}`);
      checked++;
    }
  }
  return checked;
}

/** Values spaced at least 4H apart in random order: no ties or near-ties for max. */
function distinct(rand: () => number, n: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(rand, 0, i);
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

/** Random values kept at least 3H away from the given kinks. */
function awayFrom(rand: () => number, n: number, kinks: number[], lo = -2, hi = 2): Float32Array {
  const v = randomArray(rand, n, lo, hi);
  for (let i = 0; i < n; i++) for (const k of kinks) if (Math.abs(v[i]! - k) < 3 * H) v[i] = k + (v[i]! >= k ? 5 : -5) * H;
  return v;
}

describe.each(BACKENDS)('gradients by finite differences ($name backend)', (b: Backend) => {
  it('conv2d: data, weight and bias gradients (padding, stride, dilation, groups)', () => {
    const shapes: Conv2dShape[] = [
      { n: 2, c: 2, h: 5, w: 6, k: 3, kh: 3, kw: 2, padH: 1, padW: 1 },
      { n: 1, c: 4, h: 7, w: 7, k: 2, kh: 3, kw: 3, strideH: 2, strideW: 2, dilationH: 2, padW: 1, groups: 2 },
      { n: 2, c: 3, h: 4, w: 4, k: 2, kh: 1, kw: 1 },
    ];
    shapes.forEach((s, si) => {
      const rand = rng(10 + si);
      const ho = conv2dOutputSize(s.h, s.kh, s.strideH ?? 1, s.padH ?? 0, s.dilationH ?? 1);
      const wo = conv2dOutputSize(s.w, s.kw, s.strideW ?? 1, s.padW ?? 0, s.dilationW ?? 1);
      const yLen = s.n * s.k * ho * wo;
      const inputs = {
        x: randomArray(rand, s.n * s.c * s.h * s.w),
        w: randomArray(rand, (s.k * s.c * s.kh * s.kw) / (s.groups ?? 1)),
        b: randomArray(rand, s.k),
      };
      const n = gradCheck(`conv ${JSON.stringify(s)}`, inputs,
        (x) => { const y = new Float32Array(yLen); b.conv2dForward(s, x.x!, x.w!, x.b!, y); return y; },
        (x, r) => {
          const dx = new Float32Array(x.x!.length), dw = new Float32Array(x.w!.length), db = new Float32Array(s.k);
          b.conv2dBackwardData(s, r, x.w!, dx);
          b.conv2dBackwardWeight(s, x.x!, r, dw);
          b.conv2dBackwardBias(s, r, db);
          return { x: dx, w: dw, b: db };
        }, si);
      expect(n).toBe(inputs.x.length + inputs.w.length + inputs.b.length);
    });
  });

  it('gemm: the linear-layer gradients dA = dC B^T and dB = A^T dC', () => {
    const rand = rng(20);
    const m = 4, n = 5, k = 3;
    const inputs = { a: randomArray(rand, m * k), b: randomArray(rand, k * n) };
    gradCheck('gemm', inputs,
      (x) => { const c = new Float32Array(m * n); b.gemm({ m, n, k }, x.a!, x.b!, c); return c; },
      (x, r) => {
        const da = new Float32Array(m * k), db = new Float32Array(k * n);
        b.gemm({ m, n: k, k: n, transB: true }, r, x.b!, da);
        b.gemm({ m: k, n, k: m, transA: true }, x.a!, r, db);
        return { a: da, b: db };
      }, 21);
  });

  it('pool2d: max, avg (with and without padding in the divisor) and sum, ceil mode', () => {
    const cases: Pool2dShape[] = [
      { mode: 'max', n: 2, c: 2, h: 5, w: 5, kh: 2, kw: 2, ceilMode: true },
      { mode: 'max', n: 1, c: 2, h: 6, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
      { mode: 'avg', n: 1, c: 2, h: 6, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, ceilMode: true },
      { mode: 'avg', n: 1, c: 2, h: 6, w: 7, kh: 3, kw: 2, strideH: 2, padH: 1, countIncludePad: false },
      { mode: 'sum', n: 2, c: 1, h: 5, w: 4, kh: 2, kw: 3, strideH: 1, strideW: 2, ceilMode: true },
    ];
    cases.forEach((s, si) => {
      const ho = pool2dOutputSize(s.h, s.kh, s.strideH ?? s.kh, s.padH ?? 0, s.ceilMode ?? false);
      const wo = pool2dOutputSize(s.w, s.kw, s.strideW ?? s.kw, s.padW ?? 0, s.ceilMode ?? false);
      const inputs = { x: distinct(rng(30 + si), s.n * s.c * s.h * s.w) };
      gradCheck(`pool ${JSON.stringify(s)}`, inputs,
        (x) => { const y = new Float32Array(s.n * s.c * ho * wo); b.pool2dForward(s, x.x!, y); return y; },
        (x, r) => { const dx = new Float32Array(x.x!.length); b.pool2dBackward(s, x.x!, r, dx); return { x: dx }; }, si);
    });
  });

  it('activations', () => {
    const kinds: Array<[ActivationKind, number[]]> = [
      ['identity', []], ['relu', [0]], ['leakyRelu', [0]], ['tanh', []], ['sigmoid', []], ['hardtanh', [-0.5, 1.5]],
    ];
    kinds.forEach(([kind, kinks], ki) => {
      const o = { kind, alpha: 0.1, min: -0.5, max: 1.5 };
      const inputs = { x: awayFrom(rng(40 + ki), 40, kinks) };
      gradCheck(kind, inputs,
        (x) => { const y = new Float32Array(40); b.activationForward(o, x.x!, y); return y; },
        (x, r) => {
          const y = new Float32Array(40), dx = new Float32Array(40);
          b.activationForward(o, x.x!, y);
          b.activationBackward(o, x.x!, y, r, dx);
          return { x: dx };
        }, ki);
    });
  });

  it('prelu (input and per-channel slope), bias add', () => {
    const s = { n: 2, c: 3, hw: 4 };
    const rand = rng(50);
    const inputs = { x: awayFrom(rand, 24, [0]), slope: randomArray(rand, 3, 0, 0.5) };
    gradCheck('prelu', inputs,
      (x) => { const y = new Float32Array(24); b.preluForward(s, x.x!, x.slope!, y); return y; },
      (x, r) => {
        const dx = new Float32Array(24), ds = new Float32Array(3);
        b.preluBackward(s, x.x!, x.slope!, r, dx, ds);
        return { x: dx, slope: ds };
      }, 51);
    const biasInputs = { bias: randomArray(rand, 3) };
    const xb = randomArray(rand, 24);
    gradCheck('bias add', biasInputs,
      (x) => { const y = new Float32Array(24); b.biasAdd(s, xb, x.bias!, y); return y; },
      (_x, r) => { const db = new Float32Array(3); b.biasGrad(s, r, db); return { bias: db }; }, 52);
  });

  it('softmax and log-softmax', () => {
    const s = { rows: 3, cols: 5 };
    for (const log of [false, true]) {
      const inputs = { x: randomArray(rng(60), 15, -3, 3) };
      gradCheck(log ? 'logSoftmax' : 'softmax', inputs,
        (x) => { const y = new Float32Array(15); b[log ? 'logSoftmaxForward' : 'softmaxForward'](s, x.x!, y); return y; },
        (x, r) => {
          const y = new Float32Array(15), dx = new Float32Array(15);
          b[log ? 'logSoftmaxForward' : 'softmaxForward'](s, x.x!, y);
          b[log ? 'logSoftmaxBackward' : 'softmaxBackward'](s, y, r, dx);
          return { x: dx };
        }, 61);
    }
  });

  it('softmax cross-entropy (labels and distributions) and MSE', () => {
    const s = { rows: 4, cols: 6 };
    const labels = new Int32Array([0, 5, 2, 2]);
    const dist = new Float32Array(24).fill(1 / 6);
    for (const target of [labels, dist]) {
      const inputs = { x: randomArray(rng(70), 24, -3, 3) };
      gradCheck(`cross-entropy ${target.constructor.name}`, inputs,
        (x) => b.softmaxCrossEntropyForward(s, x.x!, target, new Float32Array(24)),
        (x, r) => {
          const p = new Float32Array(24), d = new Float32Array(24);
          b.softmaxCrossEntropyForward(s, x.x!, target, p);
          b.softmaxCrossEntropyBackward(s, p, target, r[0]! / s.rows, d);
          return { x: d };
        }, 71);
    }
    const t = randomArray(rng(72), 10);
    gradCheck('mse (mean)', { p: randomArray(rng(73), 10) },
      (x) => b.mseForward(x.p!, t) / 10,
      (x) => { const d = new Float32Array(10); b.mseBackward(x.p!, t, 1 / 10, d); return { p: d }; }, 74);
  });
});
