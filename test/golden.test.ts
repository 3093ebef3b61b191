// The worked examples of ../shared/DESIGN.md (from the source articles in
// ../shared/seeds/), computed with the kernels on both backends.
import { describe, expect, it } from 'vitest';
import { conv2dOutputSize, pool2dOutputSize } from '../lib/backend/geometry';
import type { Backend } from '../lib/backend/types';
import { BACKENDS } from './helpers';

function rows(lines: string[]): Float32Array {
  return Float32Array.from(lines.join('').split(''), Number);
}

function expectClose(got: ArrayLike<number>, want: number[], digits: number): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
}

/** y = act(W x + b) for one sample: gemm + bias add + activation. */
function dense(b: Backend, w: number[][], bias: number[], x: Float32Array, relu: boolean): Float32Array {
  const out = w.length, inp = x.length;
  const y = new Float32Array(out);
  b.gemm({ m: out, n: 1, k: inp }, Float32Array.from(w.flat()), x, y);
  b.biasAdd({ n: 1, c: out }, y, Float32Array.from(bias), y);
  if (relu) b.activationForward({ kind: 'relu' }, y, y);
  return y;
}

describe.each(BACKENDS)('worked examples ($name backend)', (b: Backend) => {
  it('fully connected + ReLU, then dense, softmax and cross-entropy', () => {
    const hidden = dense(b, [[0.5, 0.8, 0.1, 0.1], [0.2, 0.5, 0.1, 0.6], [0.1, 0.2, 0.1, 0.2]], [0.2, 0.1, 0.3], Float32Array.from([15, 8, 20, 5]), true);
    expectClose(hidden, [16.6, 12.1, 6.4], 4);
    const logits = dense(b, [[0.2, 0.2, 0.3], [0.3, 0.2, 0.2], [0.2, 0.4, 0.2]], [0.2, 0.1, 0.2], hidden, false);
    expectClose(logits, [7.86, 8.78, 9.64], 4);
    const probs = new Float32Array(3);
    b.softmaxForward({ rows: 1, cols: 3 }, logits, probs);
    expectClose(probs, [0.1059, 0.2658, 0.6282], 4);
    const loss = b.softmaxCrossEntropyForward({ rows: 1, cols: 3 }, logits, new Int32Array([2]), new Float32Array(3));
    expect(loss).toBeCloseTo(0.464866, 5);
  });

  it('two networks, three samples: mean summed squared error and cross-entropy', () => {
    const targets = Float32Array.from([1, 0, 0, 1, 1, 0]);
    const cases: Array<[number[], number, number]> = [
      [[0.9, 0.1, 0.1, 0.9, 0.4, 0.6], 0.2533, 0.3757],
      [[0.6, 0.4, 0.3, 0.7, 0.1, 0.9], 0.7067, 1.0567],
    ];
    for (const [pred, mse, ce] of cases) {
      const p = Float32Array.from(pred);
      expect(b.mseForward(p, targets) / 3).toBeCloseTo(mse, 4);
      // The networks output probabilities; softmax(log p) = p, so the fused
      // kernel sees log p as logits and must give -mean(log p[target]).
      const logits = p.map(Math.log);
      expect(b.softmaxCrossEntropyForward({ rows: 3, cols: 2 }, logits, targets, new Float32Array(6))).toBeCloseTo(ce, 4);
      expect(b.softmaxCrossEntropyForward({ rows: 3, cols: 2 }, logits, new Int32Array([0, 1, 0]), new Float32Array(6))).toBeCloseTo(ce, 4);
    }
  });

  it('7x7 image * 3x3 filter -> 5x5 map, then 2x2 max pool with partial edge windows -> 3x3', () => {
    const image = rows(['0000000', '0100010', '0000000', '0001000', '0100010', '0011100', '0000000']);
    const filter = rows(['001', '100', '011']);
    const shape = { n: 1, c: 1, h: 7, w: 7, k: 1, kh: 3, kw: 3 };
    const map = new Float32Array(25);
    b.conv2dForward(shape, image, filter, null, map);
    expect(Array.from(map)).toEqual(Array.from(rows(['01000', '01110', '10021', '14210', '00121'])));
    const pooled = new Float32Array(9);
    b.pool2dForward({ mode: 'max', n: 1, c: 1, h: 5, w: 5, kh: 2, kw: 2, ceilMode: true }, map, pooled);
    expect(Array.from(pooled)).toEqual([1, 1, 0, 4, 2, 1, 0, 2, 1]);
  });

  it("the articles' total error: sum of 1/2 (target - output)^2 and its gradient output - target", () => {
    const out = Float32Array.from([0.2, 0.4, 0.1, 0.3]), target = Float32Array.from([0, 0, 1, 0]);
    expect(0.5 * b.mseForward(out, target)).toBeCloseTo(0.55, 6);
    const grad = new Float32Array(4);
    b.mseBackward(out, target, 0.5, grad);
    expectClose(grad, [0.2, 0.4, -0.9, 0.3], 6);
  });

  it('output sizes: 6x6 input, 4x4 filter', () => {
    for (const [stride, pad, want] of [[1, 0, 3], [2, 0, 2], [2, 1, 3]] as const) {
      expect(conv2dOutputSize(6, 4, stride, pad, 1)).toBe(want);
      // The kernel agrees: y must have exactly want*want elements.
      const y = new Float32Array(want * want);
      b.conv2dForward({ n: 1, c: 1, h: 6, w: 6, k: 1, kh: 4, kw: 4, strideH: stride, strideW: stride, padH: pad, padW: pad },
        new Float32Array(36).fill(1), new Float32Array(16).fill(1), null, y);
      expect(() => b.conv2dForward({ n: 1, c: 1, h: 6, w: 6, k: 1, kh: 4, kw: 4, strideH: stride, strideW: stride, padH: pad, padW: pad },
        new Float32Array(36), new Float32Array(16), null, new Float32Array(want * want + 1))).toThrow(RangeError);
    }
    expect(pool2dOutputSize(5, 2, 2, 0, true)).toBe(3);
    expect(pool2dOutputSize(5, 2, 2, 0, false)).toBe(2);
  });
});
