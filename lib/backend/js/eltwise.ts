// Activations, PReLU, bias, softmax / log-softmax in TypeScript, mirroring
// native/kernels/eltwise (PyTorch's derivatives at the kinks).
import { Call, type Extent } from '../validate';
import { readChannelShape, readRowsCols, type ResolvedChannels } from '../geometry';
import type { ActivationKind, ActivationOptions, ChannelShape, RowsCols } from '../types';

const KINDS = ['identity', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'hardtanh'] as const;

interface ResolvedActivation {
  kind: ActivationKind;
  alpha: number;
  min: number;
  max: number;
}

function readActivation(call: Call, options: unknown): ResolvedActivation {
  const o = call.object(options, 'options');
  const kind = call.enumField(o, 'options', 'kind', KINDS);
  // Like the addon, only the kinds that use them read alpha, min and max.
  const alpha = kind === 'leakyRelu' ? Math.fround(call.numberField(o, 'options', 'alpha', 0.01)) : 0.01;
  if (kind !== 'hardtanh') return { kind, alpha, min: -1, max: 1 };
  const min = Math.fround(call.numberField(o, 'options', 'min', -1));
  const max = Math.fround(call.numberField(o, 'options', 'max', 1));
  call.require(min < max, `options.min must be less than options.max, got min ${String(o['min'])} and max ${String(o['max'])}`);
  return { kind, alpha, min, max };
}

function sameAs(call: Call, name: string, ref: Float32Array): Extent {
  return call.extent(name, [`${name}.length`], [ref.length]);
}

export function activationForward(options: ActivationOptions, x: Float32Array, y: Float32Array): void {
  const call = new Call('activationForward');
  const a = readActivation(call, options);
  call.f32(x, 'x');
  call.f32(y, 'y', sameAs(call, 'x', x));
  call.sameOrDisjoint(y, 'y', x, 'x');
  const n = x.length;
  switch (a.kind) {
    case 'identity': if (y !== x) y.set(x); return;
    case 'relu': for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? x[i]! : 0; return;
    case 'leakyRelu': for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? x[i]! : a.alpha * x[i]!; return;
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]!)); return;
    case 'hardtanh':
      for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v < a.min ? a.min : v > a.max ? a.max : v; }
      return;
  }
}

export function activationBackward(options: ActivationOptions, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const call = new Call('activationBackward');
  const a = readActivation(call, options);
  call.f32(x, 'x');
  const e = sameAs(call, 'x', x);
  call.f32(y, 'y', e);
  call.f32(dy, 'dy', e);
  call.f32(dx, 'dx', e);
  call.sameOrDisjoint(dx, 'dx', dy, 'dy');
  call.noOverlap(dx, 'dx', x, 'x');
  call.noOverlap(dx, 'dx', y, 'y');
  const n = x.length;
  switch (a.kind) {
    case 'identity': if (dx !== dy) dx.set(dy); return;
    case 'relu': for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0; return;
    case 'leakyRelu': for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : a.alpha * dy[i]!; return;
    case 'tanh': for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!); return;
    case 'hardtanh': for (let i = 0; i < n; i++) dx[i] = x[i]! > a.min && x[i]! < a.max ? dy[i]! : 0; return;
  }
}

function nchw(call: Call, name: string, s: ResolvedChannels): Extent {
  return call.extent(name, ['n', 'c', 'hw'], [s.n, s.c, s.hw]);
}

function readSlope(call: Call, slope: unknown, s: ResolvedChannels): Float32Array {
  const v = call.f32(slope, 'slope');
  call.require(v.length === 1 || v.length === s.c, `slope must have 1 or c = ${s.c} elements, got ${v.length}`);
  return v;
}

export function preluForward(shape: ChannelShape, x: Float32Array, slope: Float32Array, y: Float32Array): void {
  const call = new Call('preluForward');
  const s = readChannelShape(call, shape);
  call.f32(x, 'x', nchw(call, 'x', s));
  readSlope(call, slope, s);
  call.f32(y, 'y', nchw(call, 'y', s));
  call.sameOrDisjoint(y, 'y', x, 'x');
  call.noOverlap(y, 'y', slope, 'slope');
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw;
      const a = slope[slope.length === 1 ? 0 : ch]!;
      for (let j = 0; j < s.hw; j++) { const v = x[off + j]!; y[off + j] = v > 0 ? v : a * v; }
    }
  }
}

export function preluBackward(shape: ChannelShape, x: Float32Array, slope: Float32Array, dy: Float32Array, dx: Float32Array, dslope: Float32Array): void {
  const call = new Call('preluBackward');
  const s = readChannelShape(call, shape);
  call.f32(x, 'x', nchw(call, 'x', s));
  readSlope(call, slope, s);
  call.f32(dy, 'dy', nchw(call, 'dy', s));
  call.f32(dx, 'dx', nchw(call, 'dx', s));
  call.f32(dslope, 'dslope', sameAs(call, 'slope', slope));
  call.sameOrDisjoint(dx, 'dx', dy, 'dy');
  call.noOverlap(dx, 'dx', x, 'x');
  call.noOverlap(dx, 'dx', slope, 'slope');
  for (const [v, name] of [[x, 'x'], [slope, 'slope'], [dy, 'dy'], [dx, 'dx']] as const) call.noOverlap(dslope, 'dslope', v, name);
  dslope.fill(0);
  for (let ch = 0; ch < s.c; ch++) {
    const si = slope.length === 1 ? 0 : ch;
    const a = slope[si]!;
    let ds = 0;
    for (let i = 0; i < s.n; i++) {
      const off = (i * s.c + ch) * s.hw;
      for (let j = 0; j < s.hw; j++) {
        const v = x[off + j]!, g = dy[off + j]!;
        if (v > 0) dx[off + j] = g;
        else { dx[off + j] = a * g; ds += v * g; }
      }
    }
    dslope[si]! += ds;
  }
}

export function biasAdd(shape: ChannelShape, x: Float32Array, bias: Float32Array, y: Float32Array): void {
  const call = new Call('biasAdd');
  const s = readChannelShape(call, shape);
  call.f32(x, 'x', nchw(call, 'x', s));
  call.f32(bias, 'bias', call.extent('bias', ['c'], [s.c]));
  call.f32(y, 'y', nchw(call, 'y', s));
  call.sameOrDisjoint(y, 'y', x, 'x');
  call.noOverlap(y, 'y', bias, 'bias');
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw, b = bias[ch]!;
      for (let j = 0; j < s.hw; j++) y[off + j] = x[off + j]! + b;
    }
  }
}

/** db[c] = sum over n and hw of dy; shared with the conv bias gradient. */
export function biasGradInto(s: ResolvedChannels, dy: Float32Array, db: Float32Array): void {
  for (let ch = 0; ch < s.c; ch++) {
    let sum = 0;
    for (let i = 0; i < s.n; i++) {
      const off = (i * s.c + ch) * s.hw;
      for (let j = 0; j < s.hw; j++) sum += dy[off + j]!;
    }
    db[ch] = sum;
  }
}

export function biasGrad(shape: ChannelShape, dy: Float32Array, db: Float32Array): void {
  const call = new Call('biasGrad');
  const s = readChannelShape(call, shape);
  call.f32(dy, 'dy', nchw(call, 'dy', s));
  call.f32(db, 'db', call.extent('db', ['c'], [s.c]));
  call.noOverlap(db, 'db', dy, 'dy');
  biasGradInto(s, dy, db);
}

/** max and log(sum(exp(x - max))) of row r. */
function rowLogSumExp(x: Float32Array, off: number, cols: number): [number, number] {
  let mx = x[off]!;
  for (let j = 1; j < cols; j++) mx = Math.max(mx, x[off + j]!);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[off + j]! - mx);
  return [mx, Math.log(sum)];
}

function rowwiseForward(fn: string, shape: RowsCols, x: Float32Array, y: Float32Array, log: boolean): void {
  const call = new Call(fn);
  const { rows, cols } = readRowsCols(call, shape);
  const e = call.extent('x', ['rows', 'cols'], [rows, cols]);
  call.f32(x, 'x', e);
  call.f32(y, 'y', e);
  call.sameOrDisjoint(y, 'y', x, 'x');
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const [mx, lse] = rowLogSumExp(x, off, cols);
    for (let j = 0; j < cols; j++) {
      const z = x[off + j]! - mx - lse;
      y[off + j] = log ? z : Math.exp(z);
    }
  }
}

function rowwiseBackward(fn: string, shape: RowsCols, y: Float32Array, dy: Float32Array, dx: Float32Array, log: boolean): void {
  const call = new Call(fn);
  const { rows, cols } = readRowsCols(call, shape);
  const e = call.extent('y', ['rows', 'cols'], [rows, cols]);
  call.f32(y, 'y', e);
  call.f32(dy, 'dy', e);
  call.f32(dx, 'dx', e);
  call.sameOrDisjoint(dx, 'dx', dy, 'dy');
  call.noOverlap(dx, 'dx', y, 'y');
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += log ? dy[off + j]! : y[off + j]! * dy[off + j]!;
    for (let j = 0; j < cols; j++) {
      dx[off + j] = log ? dy[off + j]! - Math.exp(y[off + j]!) * s : y[off + j]! * (dy[off + j]! - s);
    }
  }
}

export function softmaxForward(shape: RowsCols, x: Float32Array, y: Float32Array): void {
  rowwiseForward('softmaxForward', shape, x, y, false);
}
export function logSoftmaxForward(shape: RowsCols, x: Float32Array, y: Float32Array): void {
  rowwiseForward('logSoftmaxForward', shape, x, y, true);
}
export function softmaxBackward(shape: RowsCols, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  rowwiseBackward('softmaxBackward', shape, y, dy, dx, false);
}
export function logSoftmaxBackward(shape: RowsCols, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  rowwiseBackward('logSoftmaxBackward', shape, y, dy, dx, true);
}
