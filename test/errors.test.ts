// Bad input: every case gets a TypeError or RangeError naming the argument,
// what was expected and what was given, identical on both backends, before
// any memory is touched. (Garbage at every kernel, and mutated files at
// every loader: fuzz.test.ts.)
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, type Backend } from '../lib/backend/types';
import { rng, randInt } from './helpers';
import { addon, js, native } from './native-helpers';

type Fn = (b: Backend) => unknown;

/** Runs fn on both backends; both must throw `type` with the same message, matching `pattern`. */
function expectError(fn: Fn, type: typeof TypeError | typeof RangeError, pattern: RegExp | string): void {
  const messages = [native, js].map((b) => {
    try {
      fn(b);
    } catch (err) {
      expect(err, `${b.name}: ${String(err)}`).toBeInstanceOf(type);
      return (err as Error).message;
    }
    return expect.fail(`${b.name}: expected ${type.name} matching ${String(pattern)}, but the call succeeded`);
  });
  if (typeof pattern === 'string') expect(messages[0]).toBe(pattern);
  else expect(messages[0]).toMatch(pattern);
  expect(messages[1], 'the TS backend gives the same message as the native one').toBe(messages[0]);
}

const f32 = (n: number) => new Float32Array(n);
const conv = { n: 1, c: 2, h: 5, w: 5, k: 3, kh: 3, kw: 3 }; // y is 1x3x3x3

function detached(n: number): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('bad input gives a clear, typed error on both backends', () => {
  it('wrong argument types', () => {
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2 }, new Float64Array(4) as never, f32(4), f32(4)), TypeError,
      'gemm: a must be a Float32Array, got Float64Array');
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2 }, [1, 2, 3, 4] as never, f32(4), f32(4)), TypeError,
      'gemm: a must be a Float32Array, got Array');
    expectError((b) => b.conv2dForward(conv, f32(50), undefined as never, null, f32(27)), TypeError,
      'conv2dForward: w must be a Float32Array, got undefined');
    expectError((b) => b.conv2dForward(null as never, f32(50), f32(54), null, f32(27)), TypeError,
      'conv2dForward: shape must be an object, got null');
    expectError((b) => b.gemm({ m: '2', n: 2, k: 2 } as never, f32(4), f32(4), f32(4)), TypeError,
      'gemm: options.m must be a number, got string');
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2, transA: 1 } as never, f32(4), f32(4), f32(4)), TypeError,
      'gemm: options.transA must be a boolean, got number 1');
    expectError((b) => b.pool2dForward({ mode: 'median', n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2 } as never, f32(4), f32(1)), RangeError,
      "pool2dForward: shape.mode must be one of 'max', 'avg', 'sum', got 'median'");
    expectError((b) => b.activationForward({ kind: 7 } as never, f32(4), f32(4)), TypeError,
      "activationForward: options.kind must be one of 'identity', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'hardtanh', got number 7");
    expectError((b) => b.softmaxCrossEntropyForward({ rows: 2, cols: 3 }, f32(6), new Uint8Array(2) as never, f32(6)), TypeError,
      'softmaxCrossEntropyForward: target must be an Int32Array of class indices or a Float32Array of distributions, got Uint8Array');
  });

  it('wrong length for the stated shape', () => {
    expectError((b) => b.gemm({ m: 2, n: 3, k: 4 }, f32(7), f32(12), f32(6)), RangeError,
      'gemm: a must have 8 elements (m*k = 2*4), got 7');
    expectError((b) => b.gemm({ m: 2, n: 3, k: 4, transB: true }, f32(8), f32(12), f32(5)), RangeError,
      'gemm: c must have 6 elements (m*n = 2*3), got 5');
    expectError((b) => b.conv2dForward(conv, f32(50), f32(54), null, f32(26)), RangeError,
      'conv2dForward: y must have 27 elements (n*k*ho*wo = 1*3*3*3), got 26');
    expectError((b) => b.conv2dForward({ ...conv, groups: 2, c: 2, k: 4 }, f32(50), f32(72), null, f32(36)), RangeError,
      'conv2dForward: w must have 36 elements (k*c/groups*kh*kw = 4*1*3*3), got 72');
    expectError((b) => b.conv2dForward(conv, f32(50), f32(54), f32(2), f32(27)), RangeError,
      'conv2dForward: bias must have 3 elements (k = 3), got 2');
    expectError((b) => b.activationBackward({ kind: 'relu' }, f32(5), f32(5), f32(4), f32(5)), RangeError,
      'activationBackward: dy must have 5 elements (x.length = 5), got 4');
    expectError((b) => b.preluForward({ n: 1, c: 3 }, f32(3), f32(2), f32(3)), RangeError,
      'preluForward: slope must have 1 or c = 3 elements, got 2');
    expectError((b) => b.softmaxCrossEntropyForward({ rows: 2, cols: 3 }, f32(6), new Int32Array(3), f32(6)), RangeError,
      'softmaxCrossEntropyForward: target (class indices) must have 2 elements (rows = 2), got 3');
  });

  it('zero, negative, non-integer and non-finite sizes', () => {
    expectError((b) => b.gemm({ m: 0, n: 2, k: 2 }, f32(0), f32(4), f32(0)), RangeError,
      'gemm: options.m must be an integer in [1, 2147483647], got 0');
    expectError((b) => b.conv2dForward({ ...conv, kh: -1 }, f32(50), f32(54), null, f32(27)), RangeError,
      'conv2dForward: shape.kh must be an integer in [1, 2147483647], got -1');
    expectError((b) => b.conv2dForward({ ...conv, strideH: 1.5 }, f32(50), f32(54), null, f32(27)), RangeError,
      'conv2dForward: shape.strideH must be an integer in [1, 2147483647], got 1.5');
    expectError((b) => b.conv2dForward({ ...conv, padW: -1 }, f32(50), f32(54), null, f32(27)), RangeError,
      'conv2dForward: shape.padW must be an integer in [0, 2147483647], got -1');
    expectError((b) => b.biasAdd({ n: 1, c: NaN }, f32(1), f32(1), f32(1)), RangeError,
      'biasAdd: shape.c must be an integer in [1, 2147483647], got NaN');
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2, alpha: Infinity }, f32(4), f32(4), f32(4)), RangeError,
      'gemm: options.alpha must be a finite number, got Infinity');
    expectError((b) => b.mseBackward(f32(2), f32(2), NaN, f32(2)), RangeError, 'mseBackward: scale must be a finite number, got NaN');
    expectError((b) => b.gemm({ m: 3e9, n: 2, k: 2 }, f32(4), f32(4), f32(4)), RangeError,
      'gemm: options.m must be an integer in [1, 2147483647], got 3000000000');
  });

  it('sizes whose product overflows', () => {
    const big = 2147483647;
    expectError((b) => b.gemm({ m: big, n: big, k: big }, f32(4), f32(4), f32(4)), RangeError,
      'gemm: a would have m*k = 2147483647*2147483647 elements, more than 2^53 - 1');
    expectError((b) => b.pool2dForward({ mode: 'max', n: big, c: big, h: big, w: 2, kh: 1, kw: 1 }, f32(4), f32(4)), RangeError,
      /^pool2dForward: x would have n\*c\*h\*w = 2147483647\*2147483647\*2147483647\*2 elements, more than 2\^53 - 1$/);
  });

  it('geometry that cannot work', () => {
    expectError((b) => b.conv2dForward({ ...conv, groups: 4 }, f32(50), f32(54), null, f32(27)), RangeError,
      'conv2dForward: shape.c (2) must be divisible by shape.groups (4)');
    expectError((b) => b.conv2dForward({ ...conv, kh: 4, dilationH: 2 }, f32(50), f32(54), null, f32(27)), RangeError,
      'conv2dForward: the filter height (kh with dilation: 7) is larger than the padded input height (h + 2*padH: 5)');
    expectError((b) => b.pool2dForward({ mode: 'avg', n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2, padH: 2 }, f32(16), f32(4)), RangeError,
      'pool2dForward: shape.padH must be at most half of shape.kh (2), got 2');
    expectError((b) => b.pool2dForward({ mode: 'max', n: 1, c: 1, h: 2, w: 9, kh: 3, kw: 3 }, f32(18), f32(3)), RangeError,
      'pool2dForward: the window height shape.kh (3) is larger than the padded input height (h + 2*padH: 2)');
    expectError((b) => b.activationForward({ kind: 'hardtanh', min: 1, max: -1 }, f32(2), f32(2)), RangeError,
      'activationForward: options.min must be less than options.max, got min 1 and max -1');
    expectError((b) => b.softmaxCrossEntropyForward({ rows: 2, cols: 3 }, f32(6), new Int32Array([0, 3]), f32(6)), RangeError,
      'softmaxCrossEntropyForward: target[1] must be a class index in [0, 3), got 3');
    expectError((b) => b.sgdUpdate({ lr: 0.1, nesterov: true }, f32(2), f32(2), null), RangeError,
      'sgdUpdate: options.nesterov needs options.momentum > 0 and options.dampening = 0');
    expectError((b) => b.sgdUpdate({ lr: 0.1, momentum: 0.9 }, f32(2), f32(2), null), TypeError,
      'sgdUpdate: momentumBuffer must be a Float32Array when options.momentum is not 0, got null');
    expectError((b) => b.adamUpdate({ lr: 0.1, beta1: 1, step: 1 }, f32(2), f32(2), f32(2), f32(2)), RangeError,
      'adamUpdate: options.beta1 must be in [0, 1), got 1');
    expectError((b) => b.adamUpdate({ lr: 0.1 } as never, f32(2), f32(2), f32(2), f32(2)), TypeError,
      'adamUpdate: options.step must be a number, got undefined');
  });

  it('tensor lists of the multi-tensor optimizer kernels', () => {
    expectError((b) => b.sgdUpdateMany({ lr: 0.1 }, f32(2) as never, [f32(2)], null), TypeError,
      'sgdUpdateMany: params must be an Array of Float32Arrays, got Float32Array');
    expectError((b) => b.sgdUpdateMany({ lr: 0.1 }, [f32(2), [1, 2] as never], [f32(2), f32(2)], null), TypeError,
      'sgdUpdateMany: params[1] must be a Float32Array, got Array');
    expectError((b) => b.sgdUpdateMany({ lr: 0.1 }, [f32(2), f32(3)], [f32(2)], null), RangeError,
      'sgdUpdateMany: grads must have 2 entries (one per params entry), got 1');
    expectError((b) => b.sgdUpdateMany({ lr: 0.1 }, [f32(2), f32(3)], [f32(2), f32(4)], null), RangeError,
      'sgdUpdateMany: grads[1] must have 3 elements (params[1].length = 3), got 4');
    expectError((b) => b.sgdUpdateMany({ lr: 0.1, momentum: 0.9 }, [f32(2)], [f32(2)], null), TypeError,
      'sgdUpdateMany: momentumBuffers must be an Array of Float32Arrays when options.momentum is not 0, got null');
    expectError((b) => b.sgdUpdateMany({ lr: -1 }, [f32(2)], [f32(2)], null), RangeError,
      'sgdUpdateMany: options.lr must be >= 0, got -1');
    expectError((b) => b.adamUpdateMany({ lr: 0.1, step: 1 }, [f32(2)], [f32(2)], [f32(2)], [f32(3)]), RangeError,
      'adamUpdateMany: expAvgSqs[0] must have 2 elements (params[0].length = 2), got 3');
    const buf = new Float32Array(64);
    const p0 = buf.subarray(0, 8), p1 = buf.subarray(8, 16), g1 = buf.subarray(12, 20);
    expectError((b) => b.sgdUpdateMany({ lr: 0.1 }, [p0, p1], [f32(8), g1], null), RangeError,
      'sgdUpdateMany: grads[1] must not share memory with params[1]');
    expectError((b) => b.adamUpdateMany({ lr: 0.1, step: 1 }, [p0, p1], [f32(8), f32(8)], [f32(8), f32(8)], [f32(8), p0]), RangeError,
      'adamUpdateMany: expAvgSqs[1] must not share memory with params[0]');
    // Adjacent but disjoint views of one buffer are fine.
    for (const b of [native, js]) b.sgdUpdateMany({ lr: 0.1 }, [p0, p1], [buf.subarray(16, 24), buf.subarray(24, 32)], null);
  });

  it("max pooling's kept winners (argmax)", () => {
    const max = { mode: 'max', n: 1, c: 1, h: 4, w: 4, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 } as const; // y is 2x2
    const u8 = (n: number) => new Uint8Array(n);
    expectError((b) => b.pool2dForward(max, f32(16), f32(4), f32(4) as never), TypeError,
      'pool2dForward: argmax must be a Uint8Array, got Float32Array');
    expectError((b) => b.pool2dForward(max, f32(16), f32(4), u8(3)), RangeError,
      'pool2dForward: argmax must have 4 elements (n*c*ho*wo = 1*1*2*2), got 3');
    expectError((b) => b.pool2dForward({ ...max, mode: 'avg' }, f32(16), f32(4), u8(4)), RangeError,
      "pool2dForward: argmax is only for shape.mode 'max'");
    expectError((b) => b.pool2dForward({ mode: 'max', n: 1, c: 1, h: 17, w: 17, kh: 17, kw: 17 }, f32(289), f32(1), u8(1)), RangeError,
      'pool2dForward: argmax needs a window of at most 256 cells, got kh*kw = 17*17');
    const y = f32(4);
    expectError((b) => b.pool2dForward(max, f32(16), y, new Uint8Array(y.buffer, 0, 4)), RangeError,
      'pool2dForward: argmax must not share memory with y');
    expectError((b) => b.pool2dBackwardFromArgmax({ ...max, mode: 'sum' }, u8(4), f32(4), f32(16)), RangeError,
      "pool2dBackwardFromArgmax: shape.mode must be 'max'");
    expectError((b) => b.pool2dBackwardFromArgmax(max, new Int8Array(4) as never, f32(4), f32(16)), TypeError,
      'pool2dBackwardFromArgmax: argmax must be a Uint8Array, got Int8Array');
    // Window (1, 1) covers rows and columns 1..3: cell 4 (its centre) is
    // input (2, 2); cell 9 is past the window. In window (0, 0) cell 0 is
    // the padding corner and cell 8 is input (1, 1).
    const bad = 'pool2dBackwardFromArgmax: argmax names a cell outside its window or in the padding (dx now holds no meaningful values)';
    expectError((b) => b.pool2dBackwardFromArgmax(max, new Uint8Array([8, 4, 4, 9]), f32(4), f32(16)), RangeError, bad);
    expectError((b) => b.pool2dBackwardFromArgmax(max, new Uint8Array([0, 4, 4, 4]), f32(4), f32(16)), RangeError, bad);
    for (const b of [native, js]) {
      const dx = f32(16).fill(NaN);
      b.pool2dBackwardFromArgmax(max, new Uint8Array([8, 4, 4, 4]), new Float32Array([1, 2, 3, 4]), dx);
      // Cell 4 is the window's centre: window (0, 1) covers rows -1..1 and
      // columns 1..3, so input (0, 2); window (1, 0) input (2, 0).
      expect(Array.from(dx), b.name).toEqual([0, 0, 2, 0, 0, 1, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
    }
  });

  it('outputs aliasing inputs where that is unsafe', () => {
    const buf = new Float32Array(100);
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2 }, buf.subarray(0, 4), buf.subarray(10, 14), buf.subarray(2, 6)), RangeError,
      'gemm: c must not share memory with a');
    const x = f32(27);
    expectError((b) => b.conv2dForward({ n: 1, c: 3, h: 3, w: 3, k: 3, kh: 1, kw: 1 }, x, f32(9), null, x), RangeError,
      'conv2dForward: y must not share memory with x');
    expectError((b) => b.activationForward({ kind: 'relu' }, buf.subarray(0, 10), buf.subarray(5, 15)), RangeError,
      'activationForward: y must be either exactly x (in place) or not share memory with it');
    expectError((b) => b.pool2dBackward({ mode: 'max', n: 1, c: 1, h: 4, w: 4, kh: 2, kw: 2 }, f32(16), buf.subarray(0, 4), buf.subarray(0, 16)), RangeError,
      'pool2dBackward: dx must not share memory with dy');
    const p = f32(8);
    expectError((b) => b.adamUpdate({ lr: 0.1, step: 1 }, p, f32(8), p, f32(8)), RangeError,
      'adamUpdate: expAvg must not share memory with param');
    const shared = new ArrayBuffer(64);
    expectError((b) => b.softmaxCrossEntropyForward({ rows: 2, cols: 2 }, f32(4), new Int32Array(shared, 0, 2), new Float32Array(shared, 4, 4)), RangeError,
      'softmaxCrossEntropyForward: probs must not share memory with target');
  });

  it('detached buffers', () => {
    expectError((b) => b.gemm({ m: 2, n: 2, k: 2 }, f32(4), detached(4), f32(4)), TypeError,
      'gemm: b is backed by a detached ArrayBuffer');
    expectError((b) => b.mseForward(detached(3), f32(3)), TypeError, 'mseForward: pred is backed by a detached ArrayBuffer');
  });

  it('both backends judge the same values the same: a NUL inside an enum, a number float32 would round, an array from another realm', () => {
    expectError((b) => b.pool2dForward({ mode: 'max\0junk' as never, n: 1, c: 1, h: 2, w: 2, kh: 2, kw: 2 }, f32(4), f32(1)), RangeError,
      "pool2dForward: shape.mode must be one of 'max', 'avg', 'sum', got 'max\0junk'");
    // 1 + 2^-30 is 1 in float32: a backend that rounded first would accept it.
    expectError((b) => b.gemm({ m: 1 + 2 ** -30, n: 2, k: 2 }, f32(4), f32(4), f32(4)), RangeError, /^gemm: options\.m must be an integer/);
    const outputs = [native, js].map((b) => {
      const x = runInNewContext('new Float32Array([1, -2, 3, -4])') as Float32Array, y = runInNewContext('new Float32Array(4)') as Float32Array;
      b.activationForward({ kind: 'relu' }, x, y);
      return Array.from(y);
    });
    expect(outputs).toEqual([[1, 0, 3, 0], [1, 0, 3, 0]]);
  });

  it('runtime controls reject bad values', () => {
    expect(() => addon.setIsa('sse9' as never)).toThrow(RangeError);
    expect(() => addon.setIsa('sse9' as never)).toThrow(/setIsa: isa must be one of 'avx512'|setIsa: isa must be one of/);
    expect(() => addon.setNumThreads(0)).toThrow('setNumThreads: n must be an integer in [1, 1024], got 0');
    expect(() => addon.setNumThreads('2' as never)).toThrow(TypeError);
  });

  it("the addon's own kernels guard their memory when called directly, over the wire", () => {
    // Wire: a Float64Array of the geometry's fields (contracts.ts order), then the arguments.
    const gemm = (...args: unknown[]) => () => (addon.gemm as (...a: unknown[]) => unknown)(...args);
    const wire = (m: number, n: number, k: number, ta = 0, tb = 0, alpha = 1, beta = 0) => new Float64Array([m, n, k, ta, tb, alpha, beta]);
    expect(gemm()).toThrow(new TypeError('gemm: the geometry (argument 0) must be a Float64Array, got undefined'));
    expect(gemm(new Float64Array(3))).toThrow(new RangeError('gemm: the gemm geometry must have 7 fields, got 3'));
    expect(gemm(wire(2, 2, 2.5))).toThrow(new RangeError('gemm: options.k is out of its range (2.500000)'));
    expect(gemm(wire(2, 2, 2, 2))).toThrow(new RangeError('gemm: options.transA is out of its range (2.000000)'));
    expect(gemm(wire(2, 2, 2, 0, 0, NaN))).toThrow(RangeError);
    expect(gemm(wire(2, 2, 2), f32(4), f32(4))).toThrow(new TypeError('gemm: c is required, got undefined'));
    expect(gemm(wire(2, 2, 2), f32(4), f32(4), f32(3))).toThrow(new RangeError('gemm: c must have 4 elements, got 3'));
    // A detached view reads as empty; the guard asks its buffer only then.
    expect(gemm(wire(2, 2, 2), f32(4), detached(4), f32(4))).toThrow(new TypeError('gemm: b is backed by a detached ArrayBuffer'));
    expect(gemm(wire(2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1), f32(4), f32(4), f32(4))).toThrow(new RangeError('gemm: a would have more than 2^53 - 1 elements'));
    const buf = f32(16);
    expect(gemm(wire(2, 2, 2), buf.subarray(0, 4), f32(4), buf.subarray(2, 6))).toThrow(new RangeError('gemm: c must not share memory with a'));
    const conv = (...args: unknown[]) => () => (addon.conv2dForward as (...a: unknown[]) => unknown)(...args);
    // A geometry the TS side would refuse: the native side derives ho and wo itself.
    expect(conv(new Float64Array([1, 2, 5, 5, 3, 9, 3, 1, 1, 0, 0, 1, 1, 1]), f32(50), f32(162), null, f32(27)))
      .toThrow(new RangeError('conv2dForward: the filter is larger than the padded input'));
    expect(conv(new Float64Array([1, 2, 5, 5, 3, 3, 3, 1, 1, 0, 0, 1, 1, 4]), f32(50), f32(54), null, f32(27)))
      .toThrow(new RangeError('conv2dForward: shape.c must be divisible by shape.groups'));
    // A valid call computes: c = a * b.
    const c = new Float32Array([9, 9, 9, 9]);
    addon.gemm(wire(2, 2, 2), new Float32Array([1, 2, 3, 4]), new Float32Array([0, 1, 1, 0]), c);
    expect(Array.from(c)).toEqual([2, 1, 4, 3]);
  });

  it('a getter on a list entry cannot detach an array the addon has already checked', () => {
    // grads[1] is a getter that detaches params[0]: the addon reads every
    // entry before it checks any, so it sees params[0] detached and refuses.
    for (const fn of [
      (params: unknown[], grads: unknown[]) => addon.sgdUpdateMany(new Float64Array([0.1, 0, 0, 0, 0, 1]), params, grads, null),
      (params: unknown[], grads: unknown[]) => native.sgdUpdateMany({ lr: 0.1 }, params as Float32Array[], grads as Float32Array[], null),
    ]) {
      const p0 = new Float32Array(1 << 16).fill(1), p1 = f32(4);
      const grads: unknown[] = [f32(1 << 16), f32(4)];
      Object.defineProperty(grads, 1, { get: () => { structuredClone(p0.buffer, { transfer: [p0.buffer] }); return f32(4); } });
      expect(() => fn([p0, p1], grads)).toThrow(/params\[0\] (is backed by a detached ArrayBuffer|must have 65536 elements)|grads\[0\] must have/);
    }
  });

  it("max pooling's winners (argmax) in a SharedArrayBuffer changed by another thread never index out of bounds", async () => {
    const { Worker } = await import('node:worker_threads');
    const shape = { mode: 'max' as const, n: 1, c: 1, h: 64, w: 64, kh: 2, kw: 2 }; // 32 x 32 windows
    const argmax = new Uint8Array(new SharedArrayBuffer(32 * 32));
    // Another thread flips every byte between a valid cell and 255, whose
    // offset (127 rows down) lies far past dx.
    const flipper = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads');
      const a = new Uint8Array(workerData);
      parentPort.postMessage('flipping');
      for (;;) { a.fill(0); a.fill(255); }
    `, { eval: true, workerData: argmax.buffer });
    await new Promise((resolve) => flipper.once('message', resolve));
    try {
      const space = new Float32Array(64 * 64 + 16384);
      const dx = space.subarray(0, 64 * 64), canary = space.subarray(64 * 64);
      canary.fill(7);
      const dy = new Float32Array(32 * 32).fill(1);
      let ok = 0, refused = 0;
      for (let i = 0; i < 5000; i++) {
        try {
          native.pool2dBackwardFromArgmax(shape, argmax, dy, dx);
          ok++;
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
          expect((err as Error).message).toMatch(/argmax names a cell outside its window/);
          refused++;
        }
      }
      expect(ok + refused).toBe(5000);
      expect(refused, 'the flipped bytes were seen').toBeGreaterThan(0);
      expect(canary.every((v) => v === 7)).toBe(true);
    } finally {
      await flipper.terminate();
    }
  });

  it('labels in a SharedArrayBuffer changed by another thread never index out of bounds', async () => {
    const { Worker } = await import('node:worker_threads');
    const rows = 64, cols = 4;
    const labels = new Int32Array(new SharedArrayBuffer(4 * rows));
    // Another thread flips every label between a valid class and 2^30.
    const flipper = new Worker(`
      const { workerData } = require('node:worker_threads');
      const l = new Int32Array(workerData);
      for (;;) { for (let i = 0; i < l.length; i++) l[i] = 0; for (let i = 0; i < l.length; i++) l[i] = 1 << 30; }
    `, { eval: true, workerData: labels.buffer });
    try {
      // dlogits sits right before a canary in one buffer: a write past its end would change it.
      const space = new Float32Array(rows * cols + 1024);
      const dlogits = space.subarray(0, rows * cols), canary = space.subarray(rows * cols);
      canary.fill(7);
      const probs = new Float32Array(rows * cols).fill(0.25);
      let ok = 0, refused = 0;
      for (let i = 0; i < 20000; i++) {
        try {
          addon.softmaxCrossEntropyBackward(new Float64Array([rows, cols]), probs, labels, 1, dlogits);
          ok++;
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
          expect((err as Error).message).toMatch(/^softmaxCrossEntropyBackward: target\[\d+\] must be a class index in \[0, 4\)$/);
          refused++;
        }
      }
      expect(ok + refused).toBe(20000);
      expect(canary.every((v) => v === 7)).toBe(true);
      expect(dlogits.every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      await flipper.terminate();
    }
  });
});
