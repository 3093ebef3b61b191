// Activations, PReLU, bias, softmax / log-softmax in TypeScript, mirroring
// native/kernels/eltwise (PyTorch's derivatives at the kinks).
import type { ResolvedActivation, ResolvedChannels, ResolvedRows } from '../geometry';

export function add(_: unknown, a: Float32Array, b: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) y[i] = a[i]! + b[i]!;
}

/** relu(a + b): the float sum, then ReLU's rule (0 where <= 0, NaN stays NaN). */
export function addRelu(_: unknown, a: Float32Array, b: Float32Array, y: Float32Array): void {
  for (let i = 0; i < y.length; i++) { const v = Math.fround(a[i]! + b[i]!); y[i] = v <= 0 ? 0 : v; }
}

export function activationForward(a: ResolvedActivation, x: Float32Array, y: Float32Array): void {
  const n = x.length;
  switch (a.kind) {
    case 'identity': if (y !== x) y.set(x); return;
    // NaN propagates, as in PyTorch: the threshold test is x <= 0.
    case 'relu': for (let i = 0; i < n; i++) y[i] = x[i]! <= 0 ? 0 : x[i]!; return;
    case 'leakyRelu': { const alpha = Math.fround(a.alpha); for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? x[i]! : alpha * x[i]!; return; }
    case 'tanh': for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) y[i] = 1 / (1 + Math.exp(-x[i]!)); return;
    case 'hardtanh': {
      const min = Math.fround(a.min), max = Math.fround(a.max);
      for (let i = 0; i < n; i++) { const v = x[i]!; y[i] = v < min ? min : v > max ? max : v; }
      return;
    }
  }
}

export function activationBackward(a: ResolvedActivation, x: Float32Array, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  const n = x.length;
  switch (a.kind) {
    case 'identity': if (dx !== dy) dx.set(dy); return;
    case 'relu': for (let i = 0; i < n; i++) dx[i] = x[i]! <= 0 ? 0 : dy[i]!; return;
    case 'leakyRelu': { const alpha = Math.fround(a.alpha); for (let i = 0; i < n; i++) dx[i] = x[i]! > 0 ? dy[i]! : alpha * dy[i]!; return; }
    case 'tanh': for (let i = 0; i < n; i++) dx[i] = dy[i]! * (1 - y[i]! * y[i]!); return;
    case 'sigmoid': for (let i = 0; i < n; i++) dx[i] = dy[i]! * y[i]! * (1 - y[i]!); return;
    case 'hardtanh': {
      const min = Math.fround(a.min), max = Math.fround(a.max);
      for (let i = 0; i < n; i++) dx[i] = x[i]! <= min || x[i]! >= max ? 0 : dy[i]!;
      return;
    }
  }
}

export function preluForward(s: ResolvedChannels, x: Float32Array, slope: Float32Array, y: Float32Array): void {
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw;
      const a = slope[slope.length === 1 ? 0 : ch]!;
      for (let j = 0; j < s.hw; j++) { const v = x[off + j]!; y[off + j] = v > 0 ? v : a * v; }
    }
  }
}

export function preluBackward(s: ResolvedChannels, x: Float32Array, slope: Float32Array, dy: Float32Array, dx: Float32Array, dslope: Float32Array): void {
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

export function biasAdd(s: ResolvedChannels, x: Float32Array, bias: Float32Array, y: Float32Array): void {
  for (let i = 0; i < s.n; i++) {
    for (let ch = 0; ch < s.c; ch++) {
      const off = (i * s.c + ch) * s.hw, b = bias[ch]!;
      for (let j = 0; j < s.hw; j++) y[off + j] = x[off + j]! + b;
    }
  }
}

/** db[c] = sum over n and hw of dy; also the conv bias gradient. */
export function biasGrad(s: Pick<ResolvedChannels, 'n' | 'c' | 'hw'>, dy: Float32Array, db: Float32Array): void {
  for (let ch = 0; ch < s.c; ch++) {
    let sum = 0;
    for (let i = 0; i < s.n; i++) {
      const off = (i * s.c + ch) * s.hw;
      for (let j = 0; j < s.hw; j++) sum += dy[off + j]!;
    }
    db[ch] = sum;
  }
}


/** max and log(sum(exp(x - max))) of row r. */
function rowLogSumExp(x: Float32Array, off: number, cols: number): [number, number] {
  let mx = x[off]!;
  for (let j = 1; j < cols; j++) mx = Math.max(mx, x[off + j]!);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[off + j]! - mx);
  return [mx, Math.log(sum)];
}

function rowwiseForward({ rows, cols }: ResolvedRows, x: Float32Array, y: Float32Array, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    const [mx, lse] = rowLogSumExp(x, off, cols);
    for (let j = 0; j < cols; j++) {
      const z = x[off + j]! - mx - lse;
      y[off + j] = log ? z : Math.exp(z);
    }
  }
}

function rowwiseBackward({ rows, cols }: ResolvedRows, y: Float32Array, dy: Float32Array, dx: Float32Array, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const off = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += log ? dy[off + j]! : y[off + j]! * dy[off + j]!;
    for (let j = 0; j < cols; j++) {
      dx[off + j] = log ? dy[off + j]! - Math.exp(y[off + j]!) * s : y[off + j]! * (dy[off + j]! - s);
    }
  }
}

export function softmaxForward(s: ResolvedRows, x: Float32Array, y: Float32Array): void {
  rowwiseForward(s, x, y, false);
}
export function logSoftmaxForward(s: ResolvedRows, x: Float32Array, y: Float32Array): void {
  rowwiseForward(s, x, y, true);
}
export function softmaxBackward(s: ResolvedRows, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  rowwiseBackward(s, y, dy, dx, false);
}
export function logSoftmaxBackward(s: ResolvedRows, y: Float32Array, dy: Float32Array, dx: Float32Array): void {
  rowwiseBackward(s, y, dy, dx, true);
}
