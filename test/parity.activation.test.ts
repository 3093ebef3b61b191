// NaN through activations and pooling, against PyTorch 1.13 (values from
// scripts/pytorch-parity.py), on every backend: relu(NaN) is NaN, relu and
// hardtanh pass the gradient at a NaN input, max pooling propagates NaN.
import { describe, expect, it } from 'vitest';
import type { ActivationKind, Backend } from '../lib/backend/types';
import { BACKENDS } from './helpers';
import { f32, parity } from './parity.helpers';

interface Activations {
  x: number[];
  kinds: Record<string, { y: number[]; dx: number[] }>;
  maxPool: { x: number[]; shape: number[]; y: number[] };
}
const ref = parity<Activations>('activations');
const OPTIONS: Record<string, object> = { leakyRelu: { alpha: 0.2 }, hardtanh: { min: -0.5, max: 0.5 } };

/** Equal, NaN where NaN, to float32 rounding elsewhere. */
function expectSame(got: Float32Array, want: number[], what: string): void {
  want.forEach((w, i) => {
    if (Number.isNaN(w)) expect(got[i], `${what}[${i}]`).toBeNaN();
    else expect(got[i], `${what}[${i}]`).toBeCloseTo(w, 6);
  });
}

describe.each(BACKENDS)('NaN propagation against PyTorch ($name backend)', (b: Backend) => {
  for (const kind of Object.keys(ref.kinds)) {
    it(`${kind}: forward and gradient at NaN, negative, zero and positive inputs`, () => {
      const x = f32(ref.x), y = new Float32Array(x.length), dx = new Float32Array(x.length);
      const options = { kind: kind as ActivationKind, ...OPTIONS[kind] };
      b.activationForward(options, x, y);
      expectSame(y, ref.kinds[kind]!.y, `${kind} y`);
      b.activationBackward(options, x, y, new Float32Array(x.length).fill(1), dx);
      expectSame(dx, ref.kinds[kind]!.dx, `${kind} dx`);
    });
  }

  it('max pooling keeps a NaN of its window', () => {
    const [n, c, h, w] = ref.maxPool.shape as [number, number, number, number];
    const y = new Float32Array(ref.maxPool.y.length);
    b.pool2dForward({ mode: 'max', n, c, h, w, kh: 2, kw: 2 }, f32(ref.maxPool.x), y);
    expectSame(y, ref.maxPool.y, 'max pool y');
  });
});
