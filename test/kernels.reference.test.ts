// The kernel suite: every kernel, on every backend this run has, against an
// independent reference written here from the definition (plain float64
// loops, closed forms), with tolerances derived from the reduction length.
// It needs no native addon: test/js-only.sh runs it with the addon absent,
// so the TypeScript fallback is tested on its own, not only as the native
// backend's oracle. (golden.test.ts and gradients.test.ts, worked examples
// and finite differences, run on the same backends.)
import { describe, expect, it } from 'vitest';
import { conv2dOutputSize, pool2dOutputSize } from '../lib/backend/geometry';
import type { ActivationKind, Backend, Conv2dShape, Pool2dShape } from '../lib/backend/types';
import { BACKENDS, EPS, expectCloseRel, expectCloseScaled, randInt, randomArray, rng } from './helpers';

const f64 = (a: ArrayLike<number>) => Float32Array.from(a);

// ---------------------------------------------------------------- references

function gemmRef(m: number, n: number, k: number, ta: boolean, tb: boolean, alpha: number, a: Float32Array, b: Float32Array, beta: number, c: Float32Array) {
  const out = new Float64Array(m * n), scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0, sa = 0;
      for (let p = 0; p < k; p++) {
        const x = (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
        s += x; sa += Math.abs(x);
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * n + j]!);
      scale[i * n + j] = Math.abs(alpha) * sa + Math.abs(beta * (beta === 0 ? 0 : c[i * n + j]!));
    }
  return { out: f64(out), scale: f64(scale) };
}

type Conv = Required<Conv2dShape>;
const conv = (s: Conv2dShape): Conv => ({ strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups: 1, ...s });

/** Calls f(ni, ko, oh, ow, ci (absolute), ki, kj, ih, iw) for every tap that lands inside the input. */
function eachTap(s: Conv, ho: number, wo: number, f: (ni: number, ko: number, oh: number, ow: number, ci: number, ki: number, kj: number, ih: number, iw: number) => void) {
  const cg = s.c / s.groups, kg = s.k / s.groups;
  for (let ni = 0; ni < s.n; ni++)
    for (let ko = 0; ko < s.k; ko++)
      for (let oh = 0; oh < ho; oh++)
        for (let ow = 0; ow < wo; ow++)
          for (let cl = 0; cl < cg; cl++)
            for (let ki = 0; ki < s.kh; ki++)
              for (let kj = 0; kj < s.kw; kj++) {
                const ih = oh * s.strideH - s.padH + ki * s.dilationH, iw = ow * s.strideW - s.padW + kj * s.dilationW;
                if (ih >= 0 && ih < s.h && iw >= 0 && iw < s.w) f(ni, ko, oh, ow, Math.floor(ko / kg) * cg + cl, ki, kj, ih, iw);
              }
}

function convRefs(s: Conv, x: Float32Array, w: Float32Array, bias: Float32Array, dy: Float32Array) {
  const ho = conv2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.dilationH), wo = conv2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.dilationW);
  const cg = s.c / s.groups;
  const y = new Float64Array(s.n * s.k * ho * wo), yScale = new Float64Array(y.length);
  const dx = new Float64Array(x.length), dxScale = new Float64Array(x.length);
  const dw = new Float64Array(w.length), dwScale = new Float64Array(w.length);
  eachTap(s, ho, wo, (ni, ko, oh, ow, ci, ki, kj, ih, iw) => {
    const yi = ((ni * s.k + ko) * ho + oh) * wo + ow;
    const xi = ((ni * s.c + ci) * s.h + ih) * s.w + iw;
    const wi = ((ko * cg + (ci % cg)) * s.kh + ki) * s.kw + kj;
    y[yi]! += x[xi]! * w[wi]!; yScale[yi]! += Math.abs(x[xi]! * w[wi]!);
    dx[xi]! += dy[yi]! * w[wi]!; dxScale[xi]! += Math.abs(dy[yi]! * w[wi]!);
    dw[wi]! += dy[yi]! * x[xi]!; dwScale[wi]! += Math.abs(dy[yi]! * x[xi]!);
  });
  const db = new Float64Array(s.k), dbScale = new Float64Array(s.k);
  for (let i = 0; i < y.length; i++) {
    const ko = Math.floor(i / (ho * wo)) % s.k;
    y[i]! += bias[ko]!; yScale[i]! += Math.abs(bias[ko]!);
    db[ko]! += dy[i]!; dbScale[ko]! += Math.abs(dy[i]!);
  }
  // The longest sums: filter taps per output, outputs per weight or input cell.
  const terms = { y: cg * s.kh * s.kw + 1, dx: s.k * s.kh * s.kw, dw: s.n * ho * wo, db: s.n * ho * wo };
  return { ho, wo, y, yScale, dx, dxScale, dw, dwScale, db, dbScale, terms };
}

type Pool = Required<Pool2dShape>;
const pool = (s: Pool2dShape): Pool => ({ strideH: s.kh, strideW: s.kw, padH: 0, padW: 0, ceilMode: false, countIncludePad: true, ...s });

/** PyTorch's pooling by definition: clipped windows, the first maximum (or NaN) wins, avg divides by the padded or the real window. */
function poolRefs(s: Pool, x: Float32Array, dy: Float32Array) {
  const ho = pool2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.ceilMode), wo = pool2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.ceilMode);
  const y = new Float64Array(s.n * s.c * ho * wo), dx = new Float64Array(x.length), winners = new Uint8Array(y.length);
  for (let p = 0; p < s.n * s.c; p++)
    for (let oh = 0; oh < ho; oh++)
      for (let ow = 0; ow < wo; ow++) {
        const hs = oh * s.strideH - s.padH, ws = ow * s.strideW - s.padW;
        const he = Math.min(hs + s.kh, s.h + s.padH), we = Math.min(ws + s.kw, s.w + s.padW);
        const cells: number[] = [];
        for (let ih = Math.max(hs, 0); ih < Math.min(he, s.h); ih++)
          for (let iw = Math.max(ws, 0); iw < Math.min(we, s.w); iw++) cells.push((p * s.h + ih) * s.w + iw);
        const o = (p * ho + oh) * wo + ow;
        if (s.mode === 'max') {
          let best = cells[0]!;
          for (const c of cells) if (Number.isNaN(x[c]!) ? !Number.isNaN(x[best]!) : x[c]! > x[best]!) best = c;
          y[o] = x[best]!;
          dx[best]! += dy[o]!;
          const ih = Math.floor(best / s.w) % s.h, iw = best % s.w;
          winners[o] = (ih - hs) * s.kw + (iw - ws);
        } else {
          const divisor = s.mode === 'sum' ? 1 : s.countIncludePad ? (he - hs) * (we - ws) : cells.length;
          let sum = 0;
          for (const c of cells) sum += x[c]!;
          y[o] = sum / divisor;
          for (const c of cells) dx[c]! += dy[o]! / divisor;
        }
      }
  return { ho, wo, y: f64(y), dx: f64(dx), winners };
}

const ACTIVATIONS: Record<ActivationKind, { f: (x: number) => number; d: (x: number, y: number) => number }> = {
  identity: { f: (x) => x, d: () => 1 },
  relu: { f: (x) => (x > 0 ? x : 0), d: (x) => (x > 0 ? 1 : 0) },
  leakyRelu: { f: (x) => (x > 0 ? x : 0.2 * x), d: (x) => (x > 0 ? 1 : 0.2) },
  tanh: { f: Math.tanh, d: (_, y) => 1 - y * y },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), d: (_, y) => y * (1 - y) },
  hardtanh: { f: (x) => Math.min(0.5, Math.max(-0.5, x)), d: (x) => (x > -0.5 && x < 0.5 ? 1 : 0) },
};
const ACTIVATION_OPTIONS = { leakyRelu: { alpha: 0.2 }, hardtanh: { min: -0.5, max: 0.5 } } as Record<string, object>;

// ---------------------------------------------------------------- the suite

describe.each(BACKENDS)('kernels against references from their definitions ($name backend)', (b: Backend) => {
  it('gemm: every transpose, alpha and beta, beta 0 ignoring NaN in c', () => {
    const rand = rng(1);
    const shapes = [[1, 1, 1], [3, 5, 7], [17, 33, 65], [64, 1, 9], [1, 70, 130], [40, 40, 300]];
    for (const [m, n, k] of shapes as [number, number, number][])
      for (const ta of [false, true])
        for (const tb of [false, true])
          for (const [alpha, beta] of [[1, 0], [0.5, -2]]) {
            const a = randomArray(rand, m * k), bb = randomArray(rand, k * n), c0 = randomArray(rand, m * n);
            const c = beta === 0 ? new Float32Array(m * n).fill(NaN) : c0.slice();
            b.gemm({ m, n, k, transA: ta, transB: tb, alpha: alpha!, beta: beta! }, a, bb, c);
            const ref = gemmRef(m, n, k, ta, tb, alpha!, a, bb, beta!, c0);
            expectCloseScaled(c, ref.out, ref.scale, k + 1, `gemm ${m}x${n}x${k} ${ta} ${tb} alpha ${alpha} beta ${beta}`);
          }
  });

  it('conv2d forward, data gradient, weight gradient and bias gradient: stride, padding, dilation, groups', () => {
    const fixed: Conv2dShape[] = [
      { n: 1, c: 1, h: 1, w: 1, k: 1, kh: 1, kw: 1 },
      { n: 2, c: 3, h: 7, w: 6, k: 4, kh: 3, kw: 2, strideH: 2, padW: 1 },
      { n: 1, c: 4, h: 9, w: 9, k: 6, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padH: 2, groups: 2 },
      { n: 2, c: 6, h: 5, w: 8, k: 6, kh: 2, kw: 3, strideW: 3, groups: 6 },
      { n: 3, c: 2, h: 4, w: 4, k: 5, kh: 5, kw: 5, padH: 2, padW: 2 },
    ];
    const rand = rng(2);
    const shapes = [...fixed];
    for (let i = 0; i < 12; i++) {
      const groups = randInt(rand, 1, 3);
      shapes.push({
        n: randInt(rand, 1, 3), c: groups * randInt(rand, 1, 3), h: randInt(rand, 3, 12), w: randInt(rand, 3, 12), k: groups * randInt(rand, 1, 4),
        kh: randInt(rand, 1, 3), kw: randInt(rand, 1, 3), strideH: randInt(rand, 1, 3), strideW: randInt(rand, 1, 3),
        padH: randInt(rand, 0, 1), padW: randInt(rand, 0, 1), dilationH: randInt(rand, 1, 2), dilationW: randInt(rand, 1, 2), groups,
      });
    }
    for (const shape of shapes) {
      const s = conv(shape);
      if (conv2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.dilationH) < 1 || conv2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.dilationW) < 1) continue;
      const x = randomArray(rand, s.n * s.c * s.h * s.w), w = randomArray(rand, (s.k * s.c * s.kh * s.kw) / s.groups), bias = randomArray(rand, s.k);
      const ho = conv2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.dilationH), wo = conv2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.dilationW);
      const dy = randomArray(rand, s.n * s.k * ho * wo);
      const ref = convRefs(s, x, w, bias, dy);
      const what = JSON.stringify(shape);
      const y = new Float32Array(ref.y.length).fill(NaN), dx = new Float32Array(x.length).fill(NaN);
      const dw = new Float32Array(w.length).fill(NaN), db = new Float32Array(s.k).fill(NaN);
      b.conv2dForward(s, x, w, bias, y);
      b.conv2dBackwardData(s, dy, w, dx);
      b.conv2dBackwardWeight(s, x, dy, dw);
      b.conv2dBackwardBias(s, dy, db);
      expectCloseScaled(y, f64(ref.y), f64(ref.yScale), ref.terms.y, `y ${what}`);
      expectCloseScaled(dx, f64(ref.dx), f64(ref.dxScale), ref.terms.dx, `dx ${what}`);
      expectCloseScaled(dw, f64(ref.dw), f64(ref.dwScale), ref.terms.dw, `dw ${what}`);
      expectCloseScaled(db, f64(ref.db), f64(ref.dbScale), ref.terms.db, `db ${what}`);
    }
  });

  it('pooling: max, avg (with and without the padding), sum; ceil mode; NaN wins a max window; the kept winners', () => {
    const rand = rng(3);
    const shapes: Pool2dShape[] = [
      { mode: 'max', n: 2, c: 3, h: 6, w: 6, kh: 2, kw: 2 },
      { mode: 'max', n: 1, c: 2, h: 9, w: 7, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 },
      { mode: 'max', n: 1, c: 1, h: 5, w: 5, kh: 2, kw: 2, ceilMode: true },
      { mode: 'avg', n: 2, c: 2, h: 7, w: 5, kh: 3, kw: 2, strideH: 2, strideW: 1, padH: 1, ceilMode: true },
      { mode: 'avg', n: 1, c: 3, h: 6, w: 6, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1, countIncludePad: false },
      { mode: 'sum', n: 2, c: 1, h: 8, w: 4, kh: 4, kw: 1, strideH: 3 },
      { mode: 'max', n: 1, c: 2, h: 4, w: 11, kh: 1, kw: 4, strideW: 5 },
    ];
    for (const shape of shapes) {
      const s = pool(shape);
      const x = randomArray(rand, s.n * s.c * s.h * s.w);
      if (s.mode === 'max') x[randInt(rand, 0, x.length - 1)] = NaN;
      const ho = pool2dOutputSize(s.h, s.kh, s.strideH, s.padH, s.ceilMode), wo = pool2dOutputSize(s.w, s.kw, s.strideW, s.padW, s.ceilMode);
      const dy = randomArray(rand, s.n * s.c * ho * wo);
      const ref = poolRefs(s, x, dy);
      const what = JSON.stringify(shape);
      const y = new Float32Array(ref.y.length), dx = new Float32Array(x.length).fill(NaN);
      b.pool2dForward(s, x, y);
      b.pool2dBackward(s, x, dy, dx);
      // A max is one of the inputs, exactly (NaN included); a mean is rounded.
      if (s.mode === 'max') expect(Array.from(y), `y ${what}`).toEqual(Array.from(ref.y));
      else expectCloseRel(y, ref.y, 4 * EPS * s.kh * s.kw, `y ${what}`);
      expectCloseRel(dx, ref.dx, 4 * EPS * s.kh * s.kw, `dx ${what}`);
      if (s.mode !== 'max') continue;
      const y2 = new Float32Array(y.length), winners = new Uint8Array(y.length), dx2 = new Float32Array(x.length).fill(NaN);
      b.pool2dForward(s, x, y2, winners);
      b.pool2dBackwardFromArgmax(s, winners, dy, dx2);
      expect(Array.from(winners), `winners ${what}`).toEqual(Array.from(ref.winners));
      expect(Array.from(y2), `y with winners ${what}`).toEqual(Array.from(y));
      expect(Array.from(dx2), `dx from winners ${what}`).toEqual(Array.from(dx));
    }
  });

  it('add: one float rounding of the exact sum, in place on either side', () => {
    const a = f64([1, -2, 0.1, 3e38, -0, 1e-45, 16777216]), c = f64([2, 2, 0.2, 3e38, 0, 1e-45, 1]);
    // Each sum rounded once to float: 3e38 + 3e38 overflows to Infinity, 2^24 + 1 rounds to even.
    const want = [3, 0, Math.fround(Math.fround(0.1) + Math.fround(0.2)), Infinity, 0, 2 * Math.fround(1e-45), 16777216];
    const y = new Float32Array(a.length);
    b.add(a, c, y);
    expect(Array.from(y)).toEqual(want.map(Math.fround));
    const inPlace = a.slice();
    b.add(inPlace, c, inPlace);
    expect(Array.from(inPlace)).toEqual(Array.from(y));
  });

  it('activations forward and backward, in place too, against their closed forms', () => {
    const x = f64([-3, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 3, 20, -20]);
    const dy = randomArray(rng(4), x.length);
    for (const kind of Object.keys(ACTIVATIONS) as ActivationKind[]) {
      const options = { kind, ...ACTIVATION_OPTIONS[kind] };
      const { f, d } = ACTIVATIONS[kind];
      const want = f64(Array.from(x, f));
      const y = new Float32Array(x.length);
      b.activationForward(options, x, y);
      expectCloseRel(y, want, 4 * EPS, `${kind} forward`);
      const dx = new Float32Array(x.length);
      b.activationBackward(options, x, y, dy, dx);
      expectCloseRel(dx, f64(Array.from(x, (v, i) => dy[i]! * d(v, y[i]!))), 4 * EPS, `${kind} backward`);
      const inPlace = x.slice();
      b.activationForward(options, inPlace, inPlace);
      expect(Array.from(inPlace), `${kind} in place`).toEqual(Array.from(y));
    }
  });

  it('prelu (a slope per channel and one shared), bias add and bias gradient', () => {
    const rand = rng(5);
    const s = { n: 2, c: 3, hw: 5 };
    const x = randomArray(rand, 30), dy = randomArray(rand, 30), bias = randomArray(rand, 3);
    for (const slope of [f64([0.1, -0.2, 0.3]), f64([0.25])]) {
      const at = (i: number) => slope[slope.length === 1 ? 0 : Math.floor(i / 5) % 3]!;
      const y = new Float32Array(30), dx = new Float32Array(30), dslope = new Float32Array(slope.length).fill(NaN);
      b.preluForward(s, x, slope, y);
      expectCloseRel(y, f64(Array.from(x, (v, i) => (v > 0 ? v : at(i) * v))), 2 * EPS, 'prelu forward');
      b.preluBackward(s, x, slope, dy, dx, dslope);
      expectCloseRel(dx, f64(Array.from(x, (v, i) => (v > 0 ? dy[i]! : at(i) * dy[i]!))), 2 * EPS, 'prelu dx');
      const want = new Float64Array(slope.length);
      x.forEach((v, i) => { if (v <= 0) want[slope.length === 1 ? 0 : Math.floor(i / 5) % 3]! += v * dy[i]!; });
      expectCloseRel(dslope, f64(want), 30 * EPS, 'prelu dslope');
    }
    const y = new Float32Array(30), db = new Float32Array(3);
    b.biasAdd(s, x, bias, y);
    expectCloseRel(y, f64(Array.from(x, (v, i) => v + bias[Math.floor(i / 5) % 3]!)), 2 * EPS, 'biasAdd');
    b.biasGrad(s, dy, db);
    const want = new Float64Array(3);
    dy.forEach((v, i) => { want[Math.floor(i / 5) % 3]! += v; });
    expectCloseRel(db, f64(want), 10 * EPS, 'biasGrad');
  });

  it('softmax and log-softmax forward and backward, stable for large logits', () => {
    const rows = 3, cols = 4;
    const x = f64([1, 2, 3, 4, -1000, 0, 1000, 999, 0.5, 0.5, 0.5, 0.5]);
    const dy = randomArray(rng(6), 12);
    const lse = (r: number) => { const m = Math.max(...x.subarray(r * cols, r * cols + cols)); let s = 0; for (let j = 0; j < cols; j++) s += Math.exp(x[r * cols + j]! - m); return m + Math.log(s); };
    const logp = f64(Array.from(x, (v, i) => v - lse(Math.floor(i / cols))));
    const p = f64(Array.from(logp, Math.exp));
    const y = new Float32Array(12), ly = new Float32Array(12), dx = new Float32Array(12), ldx = new Float32Array(12);
    b.softmaxForward({ rows, cols }, x, y);
    b.logSoftmaxForward({ rows, cols }, x, ly);
    expectCloseRel(y, p, 8 * EPS, 'softmax');
    expectCloseRel(ly, logp, 8 * EPS, 'log-softmax');
    b.softmaxBackward({ rows, cols }, y, dy, dx);
    b.logSoftmaxBackward({ rows, cols }, ly, dy, ldx);
    const rowSum = (r: number, f: (j: number) => number) => { let s = 0; for (let j = 0; j < cols; j++) s += f(r * cols + j); return s; };
    expectCloseRel(dx, f64(Array.from(p, (pi, i) => pi * (dy[i]! - rowSum(Math.floor(i / cols), (j) => dy[j]! * p[j]!)))), 16 * EPS, 'softmax backward');
    expectCloseRel(ldx, f64(Array.from(p, (pi, i) => dy[i]! - pi * rowSum(Math.floor(i / cols), (j) => dy[j]!))), 16 * EPS, 'log-softmax backward');
  });

  it('softmax cross-entropy with class indices and with distributions, and squared error', () => {
    const rows = 2, cols = 3;
    const logits = f64([2, 1, 0.1, -1, 3, 0.5]);
    const probs = new Float32Array(6), dlogits = new Float32Array(6);
    const logp = (r: number, j: number) => { const row = logits.subarray(r * cols, r * cols + cols); const m = Math.max(...row); return row[j]! - m - Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0)); };
    const labels = new Int32Array([0, 2]);
    const loss = b.softmaxCrossEntropyForward({ rows, cols }, logits, labels, probs);
    expect(loss).toBeCloseTo(-(logp(0, 0) + logp(1, 2)) / 2, 6);
    b.softmaxCrossEntropyBackward({ rows, cols }, probs, labels, 0.5, dlogits);
    expectCloseRel(dlogits, f64(Array.from(probs, (p, i) => 0.5 * (p - (i % cols === labels[Math.floor(i / cols)] ? 1 : 0)))), 4 * EPS, 'sce backward, labels');
    const t = f64([0.2, 0.3, 0.5, 0, 1, 0]);
    const soft = b.softmaxCrossEntropyForward({ rows, cols }, logits, t, probs);
    let want = 0;
    for (let i = 0; i < 6; i++) want -= t[i]! * logp(Math.floor(i / cols), i % cols);
    expect(soft).toBeCloseTo(want / 2, 6);
    const pred = f64([1, 2, 3]), target = f64([1.5, 2, 0]);
    expect(b.mseForward(pred, target)).toBeCloseTo(0.25 + 0 + 9, 6);
    const dpred = new Float32Array(3);
    b.mseBackward(pred, target, 0.5, dpred);
    expectCloseRel(dpred, f64([-0.5, 0, 3]), 2 * EPS, 'mse backward');
  });

  it("SGD and Adam/AdamW steps against PyTorch's update rules written out; the list forms equal the single ones", () => {
    const rand = rng(7);
    const n = 9;
    const p0 = randomArray(rand, n), g1 = randomArray(rand, n), g2 = randomArray(rand, n);
    // SGD, momentum 0.9, dampening 0.1, weight decay 0.01, steps 1 and 2 (step 1 sets the buffer to the gradient).
    const lr = 0.1, mu = 0.9, damp = 0.1, wd = 0.01;
    const sgd = (nesterov: boolean) => {
      const p = Float64Array.from(p0), buf = new Float64Array(n);
      [g1, g2].forEach((g, t) => {
        for (let i = 0; i < n; i++) {
          const d = g[i]! + wd * p[i]!;
          buf[i] = t === 0 ? d : mu * buf[i]! + (1 - (nesterov ? 0 : damp)) * d;
          p[i]! -= lr * (nesterov ? d + mu * buf[i]! : buf[i]!);
        }
      });
      return f64(p);
    };
    for (const nesterov of [false, true]) {
      const options = { lr, momentum: mu, dampening: nesterov ? 0 : damp, weightDecay: wd, nesterov };
      const p = p0.slice(), buf = new Float32Array(n);
      b.sgdUpdate({ ...options, step: 1 }, p, g1, buf);
      b.sgdUpdate({ ...options, step: 2 }, p, g2, buf);
      expectCloseRel(p, sgd(nesterov), 16 * EPS, `sgd nesterov ${nesterov}`);
      const pm = [p0.slice()], bm = [new Float32Array(n)];
      b.sgdUpdateMany({ ...options, step: 1 }, pm, [g1], bm);
      b.sgdUpdateMany({ ...options, step: 2 }, pm, [g2], bm);
      expect(Array.from(pm[0]!), 'sgdUpdateMany').toEqual(Array.from(p));
    }
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const adam = (decoupled: boolean) => {
      const p = Float64Array.from(p0), m = new Float64Array(n), v = new Float64Array(n);
      [g1, g2].forEach((gr, t) => {
        const step = t + 1;
        for (let i = 0; i < n; i++) {
          if (decoupled) p[i]! *= 1 - lr * wd;
          const g = gr[i]! + (decoupled ? 0 : wd * p[i]!);
          m[i] = b1 * m[i]! + (1 - b1) * g;
          v[i] = b2 * v[i]! + (1 - b2) * g * g;
          p[i]! -= (lr / (1 - b1 ** step)) * m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(1 - b2 ** step) + eps);
        }
      });
      return f64(p);
    };
    for (const decoupled of [false, true]) {
      const p = p0.slice(), m = new Float32Array(n), v = new Float32Array(n);
      b.adamUpdate({ lr, weightDecay: wd, decoupled, step: 1 }, p, g1, m, v);
      b.adamUpdate({ lr, weightDecay: wd, decoupled, step: 2 }, p, g2, m, v);
      expectCloseRel(p, adam(decoupled), 64 * EPS, `adam decoupled ${decoupled}`);
      const pm = [p0.slice()], mm = [new Float32Array(n)], vm = [new Float32Array(n)];
      b.adamUpdateMany({ lr, weightDecay: wd, decoupled, step: 1 }, pm, [g1], mm, vm);
      b.adamUpdateMany({ lr, weightDecay: wd, decoupled, step: 2 }, pm, [g2], mm, vm);
      expect(Array.from(pm[0]!), 'adamUpdateMany').toEqual(Array.from(p));
    }
  });
});
