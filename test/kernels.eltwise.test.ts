// Activations, PReLU, bias, softmax, losses and optimizer updates: native
// (every ISA path) against the TS backend.
import { describe, expect, it } from 'vitest';
import type { ActivationKind, Backend } from '../lib/backend/types';
import { expectCloseRel, randInt, rng, randomArray } from './helpers';
import { addon, forEachIsa, js, native } from './native-helpers';

const KINDS: ActivationKind[] = ['identity', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'hardtanh'];

/** Runs fn on both backends with fresh copies of the inputs; compares every output. */
function compare(what: string, rel: number, inputs: Float32Array[], outputs: number[], fn: (b: Backend, arrays: Float32Array[]) => number | void): void {
  const a = inputs.map((x) => x.slice());
  const b = inputs.map((x) => x.slice());
  const ra = fn(native, a);
  const rb = fn(js, b);
  if (typeof rb === 'number') expect(Math.abs((ra as number) - rb), `${what}: returned value`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(rb)));
  for (const i of outputs) expectCloseRel(a[i]!, b[i]!, rel, `${what}: output ${i}`);
}

describe('eltwise, loss and optimizer kernels native vs TS', () => {
  it('activations forward and backward, including values at the kinks', () => {
    forEachIsa((isa) => {
      const rand = rng(1);
      for (const len of [1, 7, 1000, 4099]) {
        const x = randomArray(rand, len, -4, 4);
        x[0] = 0; // relu'(0), leaky'(0)
        if (len > 2) { x[1] = -1; x[2] = 1; } // hardtanh bounds
        for (const kind of KINDS) {
          const o = { kind, alpha: 0.2, min: -1, max: 1 };
          const y = new Float32Array(len), dy = randomArray(rand, len), dx = new Float32Array(len);
          compare(`${isa} ${kind} forward`, 2e-7, [x, y], [1], (b, [xx, yy]) => b.activationForward(o, xx!, yy!));
          js.activationForward(o, x, y);
          compare(`${isa} ${kind} backward`, 2e-7, [x, y, dy, dx], [3], (b, [xx, yy, gg, dd]) => b.activationBackward(o, xx!, yy!, gg!, dd!));
        }
      }
    });
  });

  it('add: the exact float sums, out of place and in place (y is a, y is b, all three one array), across the parallel split', () => {
    // The index of the first element where two arrays differ, or -1 (toEqual is slow on 70k elements).
    const firstDiff = (p: Float32Array, q: Float32Array) => p.findIndex((v, i) => !Object.is(v, q[i]));
    forEachIsa((isa) => {
      const rand = rng(11);
      for (const len of [1, 15, 1000, 70001]) {
        const a = randomArray(rand, len), b = randomArray(rand, len);
        // Float addition of two floats rounds once: Math.fround of the exact sum.
        const want = a.map((v, i) => Math.fround(v + b[i]!));
        for (const be of [native, js]) {
          const y = new Float32Array(len);
          be.add(a, b, y);
          expect(firstDiff(y, want), `${isa} ${be.name} ${len}`).toBe(-1);
          const ya = a.slice(), yb = b.slice();
          be.add(ya, b, ya);
          be.add(a, yb, yb);
          expect(firstDiff(ya, want)).toBe(-1);
          expect(firstDiff(yb, want)).toBe(-1);
          const twice = a.slice();
          be.add(twice, twice, twice);
          expect(firstDiff(twice, a.map((v) => Math.fround(2 * v)))).toBe(-1);
        }
        // Partly overlapping views are refused, not summed into each other.
        if (len > 2) expect(() => native.add(a.subarray(1), b.subarray(1), a.subarray(0, len - 1))).toThrow(/add: y must be either exactly a \(in place\) or not share memory with it/);
      }
    });
  });

  it('in-place activation (y is x) gives the same result as out of place', () => {
    const x = randomArray(rng(2), 333, -3, 3);
    for (const b of [native, js]) {
      const out = new Float32Array(333), inPlace = x.slice();
      b.activationForward({ kind: 'tanh' }, x, out);
      b.activationForward({ kind: 'tanh' }, inPlace, inPlace);
      expect(inPlace).toEqual(out);
    }
  });

  it('prelu (per channel and shared slope), bias add and bias gradient', () => {
    const rand = rng(3);
    // hw = 1: a dense layer's [n, c] (its own loops), with more than one block of 256 channels.
    for (const [n, c, hw] of [[1, 1, 1], [2, 3, 5], [4, 17, 33], [64, 120, 1], [300, 530, 1]] as const) {
      const len = n * c * hw, s = { n, c, hw };
      const x = randomArray(rand, len), dy = randomArray(rand, len);
      if (hw === 1) {
        // Closed forms: x + bias exactly (one rounding), and the gradient of row-index-valued dy is sum(i) = n(n-1)/2.
        const bias = randomArray(rand, c), y = new Float32Array(len), db = new Float32Array(c);
        native.biasAdd(s, x, bias, y);
        expect(y.every((v, i) => v === Math.fround(x[i]! + bias[i % c]!))).toBe(true);
        native.biasGrad(s, Float32Array.from({ length: len }, (_, i) => Math.floor(i / c)), db);
        expect(db.every((v) => v === (n * (n - 1)) / 2)).toBe(true);
      }
      for (const slopes of [1, c]) {
        const slope = randomArray(rand, slopes, 0, 0.5);
        compare(`prelu fwd ${len}/${slopes}`, 2e-7, [x, slope, new Float32Array(len)], [2], (b, [xx, ss, yy]) => b.preluForward(s, xx!, ss!, yy!));
        compare(`prelu bwd ${len}/${slopes}`, 1e-5, [x, slope, dy, new Float32Array(len), new Float32Array(slopes)], [3, 4],
          (b, [xx, ss, gg, dd, ds]) => b.preluBackward(s, xx!, ss!, gg!, dd!, ds!));
      }
      const bias = randomArray(rand, c);
      compare(`bias add ${len}`, 2e-7, [x, bias, new Float32Array(len)], [2], (b, [xx, bb, yy]) => b.biasAdd(s, xx!, bb!, yy!));
      compare(`bias grad ${len}`, 1e-5, [dy, new Float32Array(c)], [1], (b, [gg, db]) => b.biasGrad(s, gg!, db!));
    }
  });

  it("batch normalisation's passes: moments, gradient sums, the two affine maps (and threads over a large tensor)", () => {
    const rand = rng(9);
    for (const [n, c, hw] of [[1, 1, 1], [2, 3, 5], [4, 17, 33], [8, 16, 1024]] as const) {
      const len = n * c * hw, s = { n, c, hw };
      const x = randomArray(rand, len, -3, 5), dy = randomArray(rand, len);
      const mean = randomArray(rand, c), p = randomArray(rand, c), q = randomArray(rand, c), r = randomArray(rand, c);
      forEachIsa((isa) => {
        compare(`moments ${len} ${isa}`, 1e-5, [x, new Float32Array(c), new Float32Array(c)], [1, 2], (b, [xx, m, v]) => b.channelMoments(s, xx!, m!, v!));
        // Float lanes within each row, double across rows: about 1e-5 of the terms' size over 1024-wide rows.
        compare(`grad sums ${len} ${isa}`, 1e-4, [dy, x, mean, new Float32Array(c), new Float32Array(c)], [3, 4],
          (b, [gg, xx, m, sd, sx]) => b.channelGradSums(s, gg!, xx!, m!, sd!, sx!));
        compare(`affine ${len} ${isa}`, 2e-7, [x, p, q, new Float32Array(len)], [3], (b, [xx, a, bb, yy]) => b.channelAffine(s, xx!, a!, bb!, yy!));
        compare(`combine ${len} ${isa}`, 5e-7, [dy, x, p, q, r, new Float32Array(len)], [5],
          (b, [gg, xx, a, bb, d, dd]) => b.channelCombine(s, gg!, xx!, a!, bb!, d!, dd!));
      });
    }
  });

  it('a ReLU folded into batch norm\'s passes and into add gives the separate kernels\' bits, on both backends', () => {
    const firstDiff = (p: Float32Array, q: Float32Array) => p.findIndex((v, i) => !Object.is(v, q[i]));
    const rand = rng(21);
    for (const [n, c, hw] of [[1, 1, 3], [2, 3, 5], [8, 16, 1024]] as const) {
      const len = n * c * hw, s = { n, c, hw };
      const x = randomArray(rand, len, -3, 3), dy = randomArray(rand, len), other = randomArray(rand, len);
      const scale = randomArray(rand, c), shift = randomArray(rand, c), mean = randomArray(rand, c), d = randomArray(rand, c);
      x[0] = NaN; // relu(NaN) is NaN: it passes the gradient
      if (len > 2) { x[1] = 0; other[1] = 0; scale[0] = 1; shift[0] = 0; } // an output of exactly 0 takes none
      forEachIsa((isa) => {
        for (const b of [native, js]) {
          const what = `${isa} ${b.name} ${len}`;
          const relu = (v: Float32Array) => { const out = new Float32Array(len); b.activationForward({ kind: 'relu' }, v, out); return out; };
          const affine = new Float32Array(len), fused = new Float32Array(len);
          b.channelAffine(s, x, scale, shift, affine);
          b.channelAffineRelu(s, x, scale, shift, fused);
          expect(firstDiff(fused, relu(affine)), `${what} affine+relu`).toBe(-1);
          const sum = new Float32Array(len), sumRelu = new Float32Array(len);
          b.add(x, other, sum);
          b.addRelu(x, other, sumRelu);
          expect(firstDiff(sumRelu, relu(sum)), `${what} add+relu`).toBe(-1);
          // Backward: dy masked by the fused output, against ReLU's own backward kernel then the plain passes.
          // Where the mask is 0, dy holds Inf and NaN: they must count as 0, not poison the sums.
          const g = dy.slice();
          for (let i = 0; i < len; i += 7) if (fused[i]! <= 0) g[i] = i % 2 === 0 ? Infinity : NaN;
          const masked = new Float32Array(len);
          b.activationBackward({ kind: 'relu' }, fused, fused, g, masked);
          const want = [new Float32Array(c), new Float32Array(c)], got = [new Float32Array(c), new Float32Array(c)];
          b.channelGradSums(s, masked, x, mean, want[0]!, want[1]!);
          b.channelGradSums(s, g, x, mean, got[0]!, got[1]!, fused);
          expect(firstDiff(got[0]!, want[0]!), `${what} grad sums (sum dy)`).toBe(-1);
          expect(firstDiff(got[1]!, want[1]!), `${what} grad sums (sum dy xc)`).toBe(-1);
          const dxWant = new Float32Array(len), dxGot = new Float32Array(len);
          b.channelCombine(s, masked, x, scale, shift, d, dxWant);
          b.channelCombine(s, g, x, scale, shift, d, dxGot, fused);
          expect(firstDiff(dxGot, dxWant), `${what} combine`).toBe(-1);
          // In place (dx is dy), as the contract allows.
          const inPlace = g.slice();
          b.channelCombine(s, inPlace, x, scale, shift, d, inPlace, fused);
          expect(firstDiff(inPlace, dxWant), `${what} combine in place`).toBe(-1);
        }
        // The two backends agree on the fused kernels (native sums in float lanes: the grad sums' usual
        // tolerance), on finite values (the comparison helper is relative).
        const xf = x.slice();
        xf[0] = 0.5;
        const y = new Float32Array(len);
        js.channelAffineRelu(s, xf, scale, shift, y);
        compare(`affine relu ${len} ${isa}`, 2e-7, [xf, scale, shift, new Float32Array(len)], [3], (b, [xx, a, bb, yy]) => b.channelAffineRelu(s, xx!, a!, bb!, yy!));
        compare(`masked grad sums ${len} ${isa}`, 1e-4, [dy, xf, mean, new Float32Array(c), new Float32Array(c), y], [3, 4],
          (b, [gg, xx, m, sd, sx, r]) => b.channelGradSums(s, gg!, xx!, m!, sd!, sx!, r!));
        compare(`masked combine ${len} ${isa}`, 5e-7, [dy, xf, scale, shift, d, new Float32Array(len), y], [5],
          (b, [gg, xx, a, bb, dd, out, r]) => b.channelCombine(s, gg!, xx!, a!, bb!, dd!, out!, r!));
      });
    }
    // The mask may not share memory with an output.
    const s = { n: 1, c: 1, hw: 4 }, v = new Float32Array(4), one = new Float32Array(1);
    expect(() => native.channelGradSums(s, v, v, one, one.slice(), new Float32Array(1), new Float32Array(4).subarray(0, 4))).not.toThrow();
    expect(() => native.channelCombine(s, v, new Float32Array(4), one, one, one, v.slice(), v.slice())).not.toThrow();
    const dx = new Float32Array(4);
    expect(() => native.channelCombine(s, v, new Float32Array(4), one, one, one, dx, dx)).toThrow(/channelCombine: .*reluOutput/);
  });

  it('channel moments against closed forms, on both backends, with a mean far from zero', () => {
    // Channel 0: 0, 1, ..., 99 (mean 49.5, variance (100^2 - 1) / 12); channel 1: 1000 + (-1)^j (mean 1000, variance 1).
    const x = new Float32Array(200);
    for (let j = 0; j < 100; j++) {
      x[j] = j;
      x[100 + j] = 1000 + (j % 2 === 0 ? 1 : -1);
    }
    for (const b of [native, js]) {
      const mean = new Float32Array(2), variance = new Float32Array(2);
      b.channelMoments({ n: 1, c: 2, hw: 100 }, x, mean, variance);
      expect(Array.from(mean), b.name).toEqual([49.5, 1000]);
      expect(variance[0], b.name).toBeCloseTo(9999 / 12, 3);
      expect(variance[1], b.name).toBeCloseTo(1, 5);
    }
  });

  it('softmax and log-softmax forward and backward', () => {
    const rand = rng(4);
    for (const [rows, cols] of [[1, 1], [3, 10], [64, 10], [2, 1000]] as const) {
      const s = { rows, cols }, len = rows * cols;
      const x = randomArray(rand, len, -20, 20), dy = randomArray(rand, len);
      for (const log of [false, true]) {
        const fwd = log ? 'logSoftmaxForward' : 'softmaxForward';
        const bwd = log ? 'logSoftmaxBackward' : 'softmaxBackward';
        compare(`${fwd} ${rows}x${cols}`, 1e-6, [x, new Float32Array(len)], [1], (b, [xx, yy]) => b[fwd](s, xx!, yy!));
        const y = new Float32Array(len);
        js[fwd](s, x, y);
        compare(`${bwd} ${rows}x${cols}`, 1e-6, [y, dy, new Float32Array(len)], [2], (b, [yy, gg, dd]) => b[bwd](s, yy!, gg!, dd!));
      }
    }
  });

  it('softmax cross-entropy with class indices and with distributions, and MSE', () => {
    const rand = rng(5);
    for (const [rows, cols] of [[1, 2], [64, 10], [5, 300]] as const) {
      const s = { rows, cols }, len = rows * cols;
      const logits = randomArray(rand, len, -10, 10);
      const labels = Int32Array.from({ length: rows }, () => randInt(rand, 0, cols - 1));
      const dist = randomArray(rand, len, 0, 1);
      for (let r = 0; r < rows; r++) {
        let sum = 0;
        for (let j = 0; j < cols; j++) sum += dist[r * cols + j]!;
        for (let j = 0; j < cols; j++) dist[r * cols + j]! /= sum;
      }
      compare(`sce fwd labels ${rows}x${cols}`, 1e-6, [logits, new Float32Array(len)], [1], (b, [l, p]) => b.softmaxCrossEntropyForward(s, l!, labels, p!));
      compare(`sce fwd dist ${rows}x${cols}`, 1e-6, [logits, dist, new Float32Array(len)], [2], (b, [l, t, p]) => b.softmaxCrossEntropyForward(s, l!, t!, p!));
      const probs = new Float32Array(len);
      js.softmaxCrossEntropyForward(s, logits, labels, probs);
      compare(`sce bwd labels ${rows}x${cols}`, 1e-6, [probs, new Float32Array(len)], [1], (b, [p, d]) => b.softmaxCrossEntropyBackward(s, p!, labels, 1 / rows, d!));
      compare(`sce bwd dist ${rows}x${cols}`, 1e-6, [probs, dist, new Float32Array(len)], [2], (b, [p, t, d]) => b.softmaxCrossEntropyBackward(s, p!, t!, 0.5, d!));
      compare(`sce bwd in place ${rows}x${cols}`, 1e-6, [probs], [0], (b, [p]) => b.softmaxCrossEntropyBackward(s, p!, labels, 1, p!));
      const target = randomArray(rand, len);
      compare(`mse fwd ${len}`, 1e-9, [logits, target], [], (b, [p, t]) => b.mseForward(p!, t!));
      compare(`mse bwd ${len}`, 1e-6, [logits, target, new Float32Array(len)], [2], (b, [p, t, d]) => b.mseBackward(p!, t!, 1 / len, d!));
    }
  });

  it('SGD (plain, momentum, nesterov, dampening, weight decay) over several steps', () => {
    const rand = rng(6);
    const configs = [
      { lr: 0.1 },
      { lr: 0.05, momentum: 0.9 },
      { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
      { lr: 0.01, momentum: 0.5, dampening: 0.3, weightDecay: 0.1 },
    ];
    for (const cfg of configs) {
      const param = randomArray(rand, 1001), buf = new Float32Array(1001);
      compare(`sgd ${JSON.stringify(cfg)}`, 1e-6, [param, buf], [0, 1], (b, [p, m]) => {
        const r = rng(60);
        for (let step = 1; step <= 5; step++) b.sgdUpdate({ ...cfg, step }, p!, randomArray(r, 1001), m!);
      });
    }
  });

  it('Adam and AdamW over several steps', () => {
    const rand = rng(7);
    for (const cfg of [{ lr: 1e-3 }, { lr: 1e-2, weightDecay: 0.01 }, { lr: 1e-2, weightDecay: 0.01, decoupled: true, beta1: 0.8, beta2: 0.99, eps: 1e-6 }]) {
      const param = randomArray(rand, 777);
      compare(`adam ${JSON.stringify(cfg)}`, 2e-6, [param, new Float32Array(777), new Float32Array(777)], [0, 1, 2], (b, [p, m, v]) => {
        const r = rng(70);
        for (let step = 1; step <= 5; step++) b.adamUpdate({ ...cfg, step }, p!, randomArray(r, 777), m!, v!);
      });
    }
  });

  it('one call over many tensors equals one call per tensor, bit for bit, at 1 and 2 threads', () => {
    // Lengths straddle the threading threshold (2^15 in total) and the thread
    // split points, with an empty tensor and one of a single element.
    const lengths = [5, 0, 40000, 1, 777, 12345];
    const rand = rng(8);
    const initial = lengths.map((n) => randomArray(rand, n));
    const grads = [1, 2, 3].map(() => lengths.map((n) => randomArray(rand, n)));
    const run = (b: Backend, threads: number | null, many: boolean, kind: 'sgd' | 'adam') => {
      if (threads !== null) addon.setNumThreads(threads);
      const ps = initial.map((x) => x.slice()), m = lengths.map((n) => new Float32Array(n)), v = lengths.map((n) => new Float32Array(n));
      grads.forEach((g, t) => {
        const step = t + 1;
        if (kind === 'sgd') {
          const o = { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3, step };
          if (many) b.sgdUpdateMany(o, ps, g, m);
          else ps.forEach((p, j) => b.sgdUpdate(o, p, g[j]!, m[j]!));
        } else {
          const o = { lr: 1e-2, weightDecay: 0.01, decoupled: true, step };
          if (many) b.adamUpdateMany(o, ps, g, m, v);
          else ps.forEach((p, j) => b.adamUpdate(o, p, g[j]!, m[j]!, v[j]!));
        }
      });
      return [...ps, ...m, ...v].map((a) => Array.from(a));
    };
    for (const kind of ['sgd', 'adam'] as const) {
      const single = run(native, 1, false, kind);
      expect(single[2]!.some((x, i) => x !== initial[2]![i])).toBe(true);
      expect(run(native, 1, true, kind), `${kind} native 1 thread`).toEqual(single);
      expect(run(native, 2, true, kind), `${kind} native 2 threads`).toEqual(single);
      expect(run(js, null, true, kind), `${kind} js`).toEqual(run(js, null, false, kind));
      const jsMany = run(js, null, true, kind);
      single.forEach((a, i) => expectCloseRel(Float32Array.from(a), Float32Array.from(jsMany[i]!), 2e-6, `${kind} native vs js, array ${i}`));
    }
    addon.setNumThreads(addon.info().maxThreads);
  });
});
